#!/usr/bin/env python3
"""Counts how the generated reference docs read .

Run from the workspace root: `python3 scripts/doc_stats.py`. It reads the
generated DTOs, operations and client methods and prints:
- DTO fields whose whole doc is the wire name ("`address`." or "`address` (required).");
- setters whose whole doc is "Sets `x`.";
- client methods with a `# Parameters`, `# Returns` and `# Example` section,
  and those with a `#[doc(alias)]`;
- the size of every generated file.
"""
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TYPES = [f"crates/genauth-types/src/generated/{m}.rs" for m in ("common", "authentication", "management")]
OPS = [f"crates/genauth-core/src/ops/generated/{m}.rs" for m in ("authentication", "management")]
CLIENTS = [f"crates/genauth-tower/src/generated/{m}.rs" for m in ("authentication", "management")]
OTHER = ["crates/genauth-core/src/ops/generated/registry.rs", "tests/generated_examples.rs"]


def read(rel):
    p = os.path.join(ROOT, rel)
    return open(p, encoding="utf-8").read() if os.path.exists(p) else None


def doc_blocks(src):
    """(doc lines, the item after them) for every doc comment block; the item is
    the first following line that is not an attribute, joined with the next one
    (signatures that rustfmt splits)."""
    lines = [l.strip() for l in src.splitlines()]
    out, doc = [], []
    i = 0
    while i < len(lines):
        s = lines[i]
        if s.startswith("///"):
            doc.append(s[3:].strip())
            i += 1
            continue
        if doc:
            j, depth = i, 0
            # skip attributes, which rustfmt may spread over several lines
            while j < len(lines) and (depth > 0 or lines[j].startswith("#[")):
                depth += lines[j].count("[") - lines[j].count("]")
                j += 1
            item = " ".join(lines[j:j + 2])
            out.append((doc, item))
            doc = []
        i += 1
    return out


BARE_FIELD = re.compile(r"^`[^`]+`( \(required\))?\.$")
BARE_SETTER = re.compile(r"^Sets `[^`]+`\.$")


def main():
    counts = {}
    for group, files in (("DTO fields (genauth-types)", TYPES), ("operation fields (genauth-core)", OPS)):
        fields = bare_fields = example = values = 0
        for rel in files:
            for doc, item in doc_blocks(read(rel) or ""):
                if re.match(r"^pub [a-z_#0-9]+: ", item):
                    fields += 1
                    if len(doc) == 1 and BARE_FIELD.match(doc[0]):
                        bare_fields += 1
                    example += any(d.startswith("Example: ") for d in doc)
                    values += any(d.startswith("One of ") for d in doc)
        counts[group] = (fields, bare_fields, example, values)
    setters = bare_setters = setter_examples = 0
    methods = with_params = with_returns = with_example = 0
    for rel in CLIENTS:
        src = read(rel) or ""
        for doc, item in doc_blocks(src):
            if re.match(r"^(into|some|set) [a-z_0-9]+: ", item):
                setters += 1
                setter_examples += any(d.startswith("Example: ") for d in doc)
                if len(doc) == 1 and BARE_SETTER.match(doc[0]):
                    bare_setters += 1
        # methods: doc block followed (after attributes) by `pub fn name(&self`
        for doc, item in doc_blocks(src):
            if not re.match(r"^pub fn [a-z_0-9]+\( ?&self", item):
                continue
            d = "\n".join(doc)
            methods += 1
            with_params += "# Parameters" in d
            with_returns += "# Returns" in d
            with_example += "# Example" in d
    aliases = sum(len(re.findall(r"#\[doc\(alias", read(r) or "")) for r in CLIENTS)
    vague = sum(len(re.findall(r"/// [^\n]*: acts on `", read(r) or "")) for r in CLIENTS)
    for group, (fields, bare, example, values) in counts.items():
        print(f"{group}: {fields}; documented only by their wire name: {bare}; with an example value: {example}; listing enum values: {values}")
    print(f"setters: {setters}; documented only as 'Sets `x`.': {bare_setters}; with an example value: {setter_examples}")
    print(f"client methods: {methods}; with # Parameters: {with_params}, # Returns: {with_returns}, # Example: {with_example}; with doc aliases: {aliases}; vague names with an 'acts on' summary: {vague}")
    total = 0
    for rel in TYPES + OPS + CLIENTS + OTHER:
        src = read(rel)
        if src is None:
            continue
        total += len(src.encode())
        print(f"  {len(src.encode()):>9} bytes  {rel}")
    print(f"  {total:>9} bytes  total")


if __name__ == "__main__":
    sys.exit(main())
