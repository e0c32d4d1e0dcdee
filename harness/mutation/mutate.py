"""mutate.py - first-order mutants of one C file, each a change inside a single line.
A small tokenizer (comments, strings and #include-style lines are never mutated) and one
rule per operator class; the compiler, not this file, decides which mutants are valid C.
Used by harness/mutation/mutation.py; `python3 mutate.py FILE` lists the mutants."""
import errno
import re
import sys
from dataclasses import dataclass

TOKEN = re.compile(r"""
    (?P<skip>/\*.*?\*/ | //[^\n]* | "(?:\\.|[^"\\\n])*" | '(?:\\.|[^'\\\n])*'
           | ^[ \t]*\#[ \t]*(?!define\b)\w*(?:\\\n|[^\n])* )    # #include, #if...: not code
  | (?P<define>^[ \t]*\#[ \t]*define[ \t]+\w+(?:\([^)]*\))?)    # a #define's name: its body is code
  | (?P<space>\s+)
  | (?P<number>0[xX][0-9a-fA-F]+[uUlL]* | \d+\.\d*(?:[eE][-+]?\d+)?[fFlL]? | \d+[uUlL]*)
  | (?P<ident>[A-Za-z_]\w*)
  | (?P<op>\+\+|--|->|<<=|>>=|<<|>>|<=|>=|==|!=|&&|\|\||[-+*/%&|^]=|[-+*/%<>=!~&|^?:;,.(){}\[\]])
  | (?P<other>.)
""", re.X | re.M | re.S)

# Tokens after which + - * & are binary operators, not unary ones or part of a type.
NOT_VALUES = {"return", "sizeof", "case", "void", "char", "short", "int", "long", "unsigned",
              "signed", "const", "volatile", "struct", "union", "enum", "static", "size_t",
              "ssize_t", "off_t", "bool", "double", "float", "else", "do"}
ERRNO_NAMES = set(errno.errorcode.values())

OPERATORS = {
    "arith": {"+": ["-"], "-": ["+"], "*": ["/"], "/": ["*"], "%": ["*"], "+=": ["-="],
              "-=": ["+="], "++": ["--"], "--": ["++"], "<<": [">>"], ">>": ["<<"]},
    "relational": {"<": ["<="], "<=": ["<"], ">": [">="], ">=": [">"], "==": ["!="],
                   "!=": ["=="]},
    "logical": {"&&": ["||"], "||": ["&&"], "&": ["|"], "|": ["&"], "!": [""],
                "&=": ["|="], "|=": ["&="]},
}
BINARY_ONLY = {"+", "-", "*", "&"}     # these are also unary: mutate only between operands

# Flags swapped for their counterpart, or dropped (0) when they have none.
FLAGS = {
    "MAP_SHARED": "MAP_PRIVATE", "MAP_PRIVATE": "MAP_SHARED", "MAP_ANONYMOUS": "0",
    "MAP_POPULATE": "0", "MAP_FIXED": "0", "MAP_FIXED_NOREPLACE": "MAP_FIXED",
    "PROT_READ": "PROT_WRITE", "PROT_WRITE": "PROT_READ", "PROT_NONE": "PROT_READ",
    "PROT_EXEC": "PROT_NONE",
    "O_RDONLY": "O_RDWR", "O_WRONLY": "O_RDWR", "O_RDWR": "O_RDONLY", "O_CREAT": "0",
    "O_EXCL": "0", "O_TRUNC": "0", "O_CLOEXEC": "0", "O_PATH": "O_RDONLY",
    "O_ACCMODE": "O_RDWR", "O_NOFOLLOW": "0",
    "MS_SYNC": "MS_ASYNC", "MS_ASYNC": "MS_SYNC", "MS_INVALIDATE": "0",
    "PTHREAD_PROCESS_SHARED": "PTHREAD_PROCESS_PRIVATE",
    "PTHREAD_MUTEX_ROBUST": "PTHREAD_MUTEX_STALLED", "LOCK_EX": "LOCK_SH", "LOCK_SH": "LOCK_EX",
    "CLOCK_MONOTONIC": "CLOCK_REALTIME", "S_ISREG": "S_ISDIR", "SA_RESTART": "0",
    "WNOHANG": "0",
}


@dataclass(frozen=True)
class Mutant:
    line: int          # 1-based line of the source
    col: int           # 0-based column where the change starts
    kind: str          # the operator class
    old: str           # the whole original line (without its newline)
    new: str           # the whole mutated line

    def key(self):
        return (self.line, self.col, self.kind, self.new)

    def describe(self):
        return f"line {self.line}: {self.kind}: {self.old.strip()}  ->  {self.new.strip()}"


def tokenize(src):
    """(kind, text, line, col) of every token that is code."""
    line_starts = [0] + [m.end() for m in re.finditer(r"\n", src)]
    tokens, line = [], 0
    for m in TOKEN.finditer(src):
        kind = m.lastgroup
        while line + 1 < len(line_starts) and line_starts[line + 1] <= m.start():
            line += 1
        if kind not in ("skip", "space"):
            tokens.append((kind, m.group(), line + 1, m.start() - line_starts[line]))
    return tokens


def function_kinds(tokens):
    """Maps the index of each function body's '{' to its result kind: ptr, void, or int."""
    kinds, depth, head = {}, 0, []
    defines = {t[2] for t in tokens if t[0] == "define"}
    for i, (kind, text, line, _) in enumerate(tokens):
        if line in defines:
            continue
        if text == "{" and depth == 0 and "(" in [t[1] for t in head]:
            before = [t[1] for t in head[:[t[1] for t in head].index("(")]]
            result = before[:-1]           # everything before the function's name
            kinds[i] = ("ptr" if "*" in result else "void" if "void" in result else "int")
        if text == "{":
            depth += 1
        elif text == "}":
            depth -= 1
        if depth == 0:
            head = [] if text in (";", "}") else head + [tokens[i]]
    return kinds


def replace(lines, line, col, old_len, text, kind):
    old = lines[line - 1]
    return Mutant(line, col, kind, old, old[:col] + text + old[col + old_len:])


def closing_paren(tokens, i):
    """Index of the ')' that closes the '(' at i, or None."""
    depth = 0
    for j in range(i, len(tokens)):
        depth += {"(": 1, ")": -1}.get(tokens[j][1], 0)
        if depth == 0:
            return j
    return None


def statement_end(tokens, i):
    """Index of the ';' ending the statement that starts at i (outside parentheses)."""
    depth = 0
    for j in range(i, len(tokens)):
        depth += {"(": 1, ")": -1}.get(tokens[j][1], 0)
        if depth < 0 or tokens[j][1] in ("{", "}"):
            return None
        if depth == 0 and tokens[j][1] == ";":
            return j
    return None


def code_depths(tokens):
    """The brace depth of each token: 0 outside function bodies."""
    depths, depth = [], 0
    for _, text, _, _ in tokens:
        depth -= text == "}"
        depths.append(depth)
        depth += text == "{"
    return depths


def mutants(src):
    lines = src.split("\n")
    tokens = tokenize(src)
    fkinds = function_kinds(tokens)
    depths = code_depths(tokens)
    defines = {t[2] for t in tokens if t[0] == "define"}
    errnos = sorted({t[1] for t in tokens if t[1] in ERRNO_NAMES})
    found, result_kind = [], "int"
    for i, (kind, text, line, col) in enumerate(tokens):
        if i in fkinds:
            result_kind = fkinds[i]
        if depths[i] == 0 and line not in defines:
            continue                    # declarations: types, not behaviour
        prev = tokens[i - 1] if i > 0 else ("op", ";", 0, 0)
        after_value = (prev[0] in ("ident", "number") and prev[1] not in NOT_VALUES
                       or prev[1] in (")", "]"))
        for cls, table in OPERATORS.items():
            if kind == "op" and text in table and (text not in BINARY_ONLY or after_value):
                found += [replace(lines, line, col, len(text), r, cls) for r in table[text]]
        if kind == "number" and re.fullmatch(r"(0[xX][0-9a-fA-F]+|\d+)[uUlL]*", text):
            digits = re.match(r"0[xX][0-9a-fA-F]+|\d+", text).group()
            octal = len(digits) > 1 and digits[0] == "0"
            base = 16 if digits[1:2] in ("x", "X") else 8 if octal else 10
            value, suffix = int(digits, base), text[len(digits):]
            spell = {16: "0x{:x}", 8: "0{:o}", 10: "{}"}[base]    # 0666 stays octal
            for v in sorted({value + 1, value - 1 if value > 0 else 1} - {value}):
                found.append(replace(lines, line, col, len(text), spell.format(v) + suffix,
                                     "constant"))
        if kind == "ident" and text in errnos and len(errnos) > 1:
            k = errnos.index(text)   # the neighbours in sorted order: 2 swaps per use
            for other in sorted({errnos[k - 1], errnos[(k + 1) % len(errnos)]} - {text}):
                found.append(replace(lines, line, col, len(text), other, "errno"))
        if kind == "ident" and text in FLAGS:
            found.append(replace(lines, line, col, len(text), FLAGS[text], "flag"))
        if text in ("if", "while") and i + 1 < len(tokens) and tokens[i + 1][1] == "(":
            j = closing_paren(tokens, i + 1)
            if j is not None and tokens[j][2] == line:   # the condition fits on its line
                a, b = tokens[i + 1][3] + 1, tokens[j][3]
                cond = lines[line - 1][a:b]
                found.append(replace(lines, line, a, len(cond), f"!({cond})", "negation"))
        found += statement_mutants(tokens, i, lines, result_kind)
    return sorted(set(found), key=Mutant.key)


def statement_start(tokens, i):
    """Where the statement whose first name is tokens[i] starts (a "(void)" cast included),
    or None when tokens[i] is inside an expression."""
    prev = tokens[i - 1][1] if i > 0 else ";"
    if prev in (";", "{", "}", "else"):
        return i
    if prev != ")":
        return None
    depth, j = 0, i - 1
    while j >= 0:                       # back to the '(' that the ')' closes
        depth += {")": 1, "(": -1}.get(tokens[j][1], 0)
        if depth == 0:
            break
        j -= 1
    before = tokens[j - 1][1] if j > 0 else ";"
    if before in ("if", "while", "for"):
        return i
    if [t[1] for t in tokens[j:i]] == ["(", "void", ")"] and before in (";", "{", "}", "else"):
        return j
    return None


def statement_mutants(tokens, i, lines, result_kind):
    """Deleted statements and replaced return values, for statements on one line."""
    kind, text, line, _ = tokens[i]
    start = statement_start(tokens, i)
    if start is None or kind != "ident":
        return []
    end = statement_end(tokens, i)
    if end is None or tokens[end][2] != line or tokens[start][2] != line:
        return []
    col = tokens[start][3]
    stmt = lines[line - 1][col:tokens[end][3] + 1]
    body = [t[1] for t in tokens[i + 1:end]]
    out = []
    if text == "return":
        expr = " ".join(body)
        if result_kind == "void":
            out.append(replace(lines, line, col, len(stmt), ";", "deletion"))
        elif expr in ("- 1", "0"):
            out.append(replace(lines, line, col, len(stmt),
                               "return 0;" if expr == "- 1" else "return -1;", "return"))
        elif result_kind == "ptr" and expr != "NULL":
            out.append(replace(lines, line, col, len(stmt), "return NULL;", "return"))
        elif result_kind == "int" and expr not in ("NULL", "true", "false"):
            out.append(replace(lines, line, col, len(stmt), "return 0;", "return"))
    elif body[:1] == ["("] and closing_paren(tokens, i + 1) == end - 1:
        out.append(replace(lines, line, col, len(stmt), ";", "deletion"))  # f(...); unused
    elif text == "errno" and body[:1] == ["="]:
        out.append(replace(lines, line, col, len(stmt), ";", "deletion"))
    return out


if __name__ == "__main__":
    for n, m in enumerate(mutants(open(sys.argv[1]).read()), 1):
        print(f"m{n:03d}  {m.describe()}")
