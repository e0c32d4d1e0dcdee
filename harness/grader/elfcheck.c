/* elfcheck.c - reads a relocatable ELF object (what gcc -c made of the student file): its
 * section names, and its global symbols, defined and undefined. build.c rejects objects with
 * load-time code (.init_array, .ctors, IFUNC resolvers) or calls into the test framework. */
#include "grader.h"

#include <elf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define OBJ_MAX (64u << 20)

/* The sections a compiled C file may have: code, data and what describes them. Anything
 * else is refused: load-time code (.init_array, .ctors...), compiler bytecode the linker
 * plugin would compile instead of the checked code (.gnu.lto_*), and named sections the test
 * framework collects (cr_tst...). */
static bool allowed_section(const char *name, Elf64_Word type)
{
    static const char *const exact[] = {"", ".symtab", ".strtab", ".shstrtab", ".comment",
                                        ".note.GNU-stack", ".note.gnu.property", ".eh_frame",
                                        ".rela.eh_frame"};
    static const char *const families[] = {".text", ".rodata", ".data", ".bss", ".tdata",
                                           ".tbss"};

    if (type == SHT_INIT_ARRAY || type == SHT_FINI_ARRAY || type == SHT_PREINIT_ARRAY ||
        type == SHT_GROUP)
        return false;
    for (size_t i = 0; i < sizeof exact / sizeof *exact; i++)
        if (strcmp(name, exact[i]) == 0)
            return true;
    if (strncmp(name, ".rela", 5) == 0)         /* relocations of an allowed section */
        return allowed_section(name + 5, SHT_PROGBITS);
    for (size_t i = 0; i < sizeof families / sizeof *families; i++) {
        size_t n = strlen(families[i]);
        if (strncmp(name, families[i], n) == 0 && (name[n] == '\0' || name[n] == '.'))
            return true;
    }
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
        if (!allowed_section(name, sh[i].sh_type))
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
