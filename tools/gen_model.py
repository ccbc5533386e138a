#!/usr/bin/env python3
"""Print a `model!` block for one schema of api-data/schemas.json.

usage: tools/gen_model.py SERVICE SCHEMA RUST_NAME [--request]
         [--map SchemaType=RustType ...] [--doc "text"]

Response models (default): every field optional. --request: fields the
schema marks required become plain fields. Enum and nested model types are
mapped with --map; unmapped ones become serde_json::Value (enums: String).
"""
import json, re, sys, os

HERE = os.path.dirname(os.path.abspath(__file__))
SCHEMAS = json.load(open(os.path.join(HERE, "..", "api-data", "schemas.json")))
KEYWORDS = {"type", "match", "ref", "use", "mod", "fn", "struct", "enum", "impl", "self", "move", "async", "await", "loop", "where", "static", "const", "crate", "super", "trait", "box", "final", "override", "priv", "abstract", "virtual", "yield", "macro", "dyn", "try", "in", "as", "for", "if", "else", "let", "mut", "pub", "return", "true", "false", "while", "break", "continue", "extern", "unsafe"}

def main():
    args = sys.argv[1:]
    request = "--request" in args
    maps, doc, pos = {}, None, []
    i = 0
    while i < len(args):
        a = args[i]
        if a == "--request": pass
        elif a == "--map": k, v = args[i + 1].split("=", 1); maps[k] = v; i += 1
        elif a == "--doc": doc = args[i + 1]; i += 1
        else: pos.append(a)
        i += 1
    service, schema, rust = pos
    svc = SCHEMAS[service]
    model = svc["models"][schema]
    enums = svc["enums"]

    def rtype(t):
        t = t.strip()
        parts = [p.strip() for p in split_union(t) if p.strip() != "None"]
        if len(parts) != 1:
            return "serde_json::Value"
        t = parts[0]
        m = re.fullmatch(r"list\[(.*)\]", t)
        if m:
            return "Vec<%s>" % rtype(m.group(1))
        if re.fullmatch(r"dict(\[.*\])?", t) or t in ("Any", "object"):
            return "serde_json::Value"
        base = {"str": "String", "int": "i64", "float": "f64", "bool": "bool",
                "UUID": "String", "datetime.datetime": "String", "datetime.date": "String"}
        if t in base:
            return base[t]
        if t in maps:
            return maps[t]
        if t in enums:
            return "String"
        return "serde_json::Value"

    req, opt = [], []
    for key, t, required in model["fields"]:
        name = key if re.fullmatch(r"[a-z_][a-z0-9_]*", key) else None
        if name is None:
            continue  # non-identifier keys stay in `extra`
        ident = "r#" + name if name in KEYWORDS else name
        line = "            %s: %s," % (ident, rtype(t))
        (req if (request and required) else opt).append(line)
    print("model! {")
    print("    /// %s" % (doc or "`%s.%s` in iconik's API." % (service, schema)))
    print("    pub struct %s {" % rust)
    if req:
        print("        required {"); print("\n".join(req)); print("        }")
    if opt:
        print("        optional {"); print("\n".join(opt)); print("        }")
    print("    }")
    print("}")

def split_union(t):
    out, depth, cur = [], 0, ""
    for ch in t:
        if ch == "[": depth += 1
        if ch == "]": depth -= 1
        if ch == "|" and depth == 0:
            out.append(cur); cur = ""
        else:
            cur += ch
    out.append(cur)
    return out

main()
