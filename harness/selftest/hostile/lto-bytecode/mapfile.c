/* The starter, plus a section of compiler bytecode. With the linker plugin on, the final link
 * compiles the bytecode instead of the checked machine code (here: a stand-in payload). */
/* @@STARTER@@ */

__asm__(".pushsection .gnu.lto_.inline.mmhostile,\"e\",@progbits\n"
        ".byte 0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01\n"
        ".popsection\n"
        ".pushsection .gnu.lto_.symtab.mmhostile,\"e\",@progbits\n"
        ".byte 0\n"
        ".popsection\n");
