/* elfcheck.c - reads a relocatable ELF object (what gcc -c made of the student file): its
 * section names, and its global symbols, defined and undefined. build.c rejects objects with
 * load-time code (.init_array, .ctors, IFUNC resolvers) or calls into the test framework. */
#include "grader.h"

#include <elf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define OBJ_MAX (64u << 20)

static bool bad_section(const char *name, Elf64_Word type)
{
    static const char *const prefixes[] = {".init_array", ".fini_array", ".preinit_array",
                                           ".ctors", ".dtors"};
    if (type == SHT_INIT_ARRAY || type == SHT_FINI_ARRAY || type == SHT_PREINIT_ARRAY)
        return true;
    if (strcmp(name, ".init") == 0 || strcmp(name, ".fini") == 0)
        return true;
    /* A section named like an identifier gets __start_/__stop_ symbols: that is how
     * Criterion collects tests (cr_tst) and report hooks (cr_pof...). */
    if (name[0] && name[0] != '.')
        return true;
    for (size_t i = 0; i < sizeof prefixes / sizeof *prefixes; i++)
        if (strncmp(name, prefixes[i], strlen(prefixes[i])) == 0)
            return true;
    return false;
}

/* A string from a string table, or NULL when the offset is out of bounds. */
static const char *str_at(const char *img, size_t len, const Elf64_Shdr *tab, Elf64_Word off)
{
    if (tab->sh_offset > len || tab->sh_size > len - tab->sh_offset || off >= tab->sh_size)
        return NULL;
    const char *s = img + tab->sh_offset + off;
    if (!memchr(s, '\0', tab->sh_size - off))
        return NULL;
    return s;
}

int elf_inspect(const char *path, struct elf_info *info, char *err, size_t errlen)
{
    size_t len;
    char *img = read_file(path, OBJ_MAX, &len);
    int ret = -1;

    memset(info, 0, sizeof *info);
    if (!img) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    const Elf64_Ehdr *eh = (const Elf64_Ehdr *)img;
    if (len < sizeof *eh || memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0 ||
        eh->e_ident[EI_CLASS] != ELFCLASS64 || eh->e_type != ET_REL ||
        eh->e_shentsize != sizeof(Elf64_Shdr) || eh->e_shoff > len ||
        (size_t)eh->e_shnum * sizeof(Elf64_Shdr) > len - eh->e_shoff ||
        eh->e_shstrndx >= eh->e_shnum) {
        snprintf(err, errlen, "%s: not a 64-bit relocatable ELF object", path);
        goto out_free;
    }
    const Elf64_Shdr *sh = (const Elf64_Shdr *)(img + eh->e_shoff);
    for (int i = 0; i < eh->e_shnum; i++) {
        const char *name = str_at(img, len, &sh[eh->e_shstrndx], sh[i].sh_name);
        if (!name)
            continue;
        strv_add(&info->sections, name);
        if (bad_section(name, sh[i].sh_type))
            strv_add(&info->bad_sections, name);
        if (sh[i].sh_type != SHT_SYMTAB || sh[i].sh_link >= eh->e_shnum)
            continue;
        if (sh[i].sh_offset > len || sh[i].sh_size > len - sh[i].sh_offset) {
            snprintf(err, errlen, "%s: symbol table out of bounds", path);
            goto out_free;
        }
        const Elf64_Sym *sym = (const Elf64_Sym *)(img + sh[i].sh_offset);
        size_t nsym = sh[i].sh_size / sizeof *sym;
        for (size_t k = 1; k < nsym; k++) {
            const char *sname = str_at(img, len, &sh[sh[i].sh_link], sym[k].st_name);
            int bind = ELF64_ST_BIND(sym[k].st_info), type = ELF64_ST_TYPE(sym[k].st_info);
            if (!sname || !*sname)
                continue;
            if (type == STT_GNU_IFUNC)
                strv_add(&info->ifuncs, sname);
            if (bind == STB_LOCAL)
                continue;
            if (sym[k].st_shndx == SHN_UNDEF) {
                strv_add(&info->undefined, sname);
            } else {
                strv_add(&info->defined, sname);
                if (type == STT_FUNC)
                    strv_add(&info->defined_funcs, sname);
            }
        }
    }
    ret = 0;
out_free:
    free(img);
    return ret;
}

void elf_info_free(struct elf_info *info)
{
    strv_free(&info->sections);
    strv_free(&info->bad_sections);
    strv_free(&info->ifuncs);
    strv_free(&info->undefined);
    strv_free(&info->defined);
    strv_free(&info->defined_funcs);
}
