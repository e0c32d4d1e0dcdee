/* classfigure.c - the class report's score distribution: a bar chart of how many submissions
 * scored 0-9 %, 10-19 %, ... 100 % of a lab, drawn by gnuplot as SVG and inlined in the page
 * (one self-contained file, sharp when printed). */
#include "classreport.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define GNUPLOT "/usr/bin/gnuplot"

static char *write_inputs(const char *work, const int *bins, int nbins, const char *title)
{
    struct buf data = {0}, gp = {0};
    char *dat = xasprintf("%s/bins.dat", work), *script = xasprintf("%s/plot.gp", work);

    for (int b = 0; b < nbins; b++) {
        char label[16];
        snprintf(label, sizeof label, b == nbins - 1 ? "100" : "%d-%d", b * 10, b * 10 + 9);
        buf_printf(&data, "%d\t\"%s\"\t%d\n", b, label, bins[b]);
    }
    int top = 1;
    for (int b = 0; b < nbins; b++)
        top = bins[b] > top ? bins[b] : top;
    /* noenhanced: a lab name never turns into sub- or superscripts. */
    buf_printf(&gp, "set terminal svg size 640,260 font 'sans,11' noenhanced\n"
                    "set output 'bins.svg'\n"
                    "set title \"%s\"\n"
                    "set style fill solid 0.8 border rgb '#333333'\n"
                    "set boxwidth 0.8\n"
                    "set xlabel 'score (%% of the lab)'\nset ylabel 'submissions'\n"
                    "set yrange [0:%d]\nset ytics %d\nset xrange [-0.6:%d.6]\n"
                    "set grid ytics lc rgb '#dddddd'\nunset key\n"
                    "plot 'bins.dat' using 1:3:xtic(2) with boxes lc rgb '#4a7ab5', "
                    "'' using 1:3:(sprintf('%%d', $3)) with labels offset 0,0.7\n",
                title, top + 1 + top / 8, top > 20 ? top / 10 : 1, nbins - 1);
    char *ret = NULL;
    if (write_file_atomic(dat, data.p, data.len) == 0 &&
        write_file_atomic(script, gp.p, gp.len) == 0)
        ret = script;
    else
        free(script);
    free(dat);
    free(data.p);
    free(gp.p);
    return ret;
}

/* The SVG from its <svg> tag on (no XML declaration inline), its ids prefixed: two labs'
 * figures on one page must not share an id. */
static char *inline_svg(const char *start, const char *prefix)
{
    struct buf b = {0};

    for (const char *p = start, *id; *p; p = id + 4) {
        id = strstr(p, "id=\"");
        if (!id) {
            buf_puts(&b, p);
            break;
        }
        buf_add(&b, p, (size_t)(id - p) + 4);
        buf_printf(&b, "%s-", prefix);
    }
    return buf_take(&b);
}

char *class_figure_svg(const int *bins, int nbins, const char *title, const char *id_prefix,
                       char **why)
{
    const char *base = getenv("TMPDIR");
    char *work = xasprintf("%s/mmfig.XXXXXX", base && *base ? base : "/tmp"), *svg = NULL;

    *why = NULL;
    if (access(GNUPLOT, X_OK) != 0) {
        *why = xstrdup("gnuplot is not installed (harness/install-deps installs gnuplot-nox)");
        free(work);
        return NULL;
    }
    if (!mkdtemp(work)) {
        *why = xasprintf("%s: %s", work, strerror(errno));
        free(work);
        return NULL;
    }
    char *script = write_inputs(work, bins, nbins, title);
    char *argv[] = {GNUPLOT, "plot.gp", NULL};
    struct sbx_job job = {.argv = argv, .cwd = work, .report_fd = -1, .out_keep = 4096,
                          .wall = 60, .trusted = true};
    struct sbx_result res = {0};
    if (script)
        sbx_run(&job, &res);
    char *out = xasprintf("%s/bins.svg", work);
    size_t len;
    char *text = script && res.status == 0 ? read_file(out, 4 << 20, &len) : NULL;
    char *start = text ? strstr(text, "<svg") : NULL;
    if (start) {
        svg = inline_svg(start, id_prefix);
    } else {
        if (res.out)
            sanitize_text(res.out);
        *why = xasprintf("gnuplot failed%s%.300s", res.out && *res.out ? ": " : "",
                         res.out ? res.out : "");
    }
    free(text);
    free(out);
    free(script);
    sbx_result_free(&res);
    remove_tree(work);
    free(work);
    return svg;
}
