#!/usr/bin/env python3
"""Writes the import test fixtures with LibreOffice, an independent xlsx writer.

Each sheet is described here, written as a flat OpenDocument spreadsheet
(.fods), and converted by `soffice --headless --convert-to xlsx`. The
resulting .xlsx files are committed; rerun this only to change them:

    cd reports/testdata && python3 make-fixtures.py
"""
import os
import subprocess
import tempfile
from xml.sax.saxutils import escape

HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
 xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"
 xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"
 xmlns:number="urn:oasis:names:tc:opendocument:xmlns:datastyle:1.0"
 xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0"
 office:version="1.2" office:mimetype="application/vnd.oasis.opendocument.spreadsheet">
<office:automatic-styles>
 <number:date-style style:name="D1"><number:month/><number:text>/</number:text><number:day/><number:text>/</number:text><number:year number:style="long"/></number:date-style>
 <style:style style:name="date" style:family="table-cell" style:data-style-name="D1"/>
</office:automatic-styles>
<office:body><office:spreadsheet>
"""
TAIL = "</office:spreadsheet></office:body></office:document>\n"


def cell(v):
    """A cell: str is text, int/float a number, ('date', 'YYYY-MM-DD') a date,
    ('merge', text, n) text spanning n columns, None empty."""
    if v is None:
        return "<table:table-cell/>"
    if isinstance(v, tuple) and v[0] == "date":
        return ('<table:table-cell table:style-name="date" office:value-type="date" office:date-value="%s">'
                "<text:p>%s</text:p></table:table-cell>" % (v[1], v[1]))
    if isinstance(v, tuple) and v[0] == "merge":
        return ('<table:table-cell table:number-columns-spanned="%d" office:value-type="string"><text:p>%s</text:p></table:table-cell>'
                % (v[2], escape(v[1])) + "<table:covered-table-cell/>" * (v[2] - 1))
    if isinstance(v, (int, float)):
        return '<table:table-cell office:value-type="float" office:value="%s"><text:p>%s</text:p></table:table-cell>' % (v, v)
    return '<table:table-cell office:value-type="string"><text:p>%s</text:p></table:table-cell>' % escape(v)


def sheet(name, rows):
    out = ['<table:table table:name="%s">' % escape(name)]
    for r in rows:
        out.append("<table:table-row>" + "".join(cell(v) for v in r) + "</table:table-row>")
    out.append("</table:table>")
    return "\n".join(out)


def write(name, sheets):
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, name + ".fods")
        with open(src, "w", encoding="utf-8") as f:
            f.write(HEAD + "".join(sheet(n, r) for n, r in sheets) + TAIL)
        subprocess.run(["soffice", "--headless", "--convert-to", "xlsx", "--outdir", ".", src],
                       check=True, stdout=subprocess.DEVNULL)
    print("wrote", name + ".xlsx")


HEADER = ["Chart #", "Patient Name", "D.O.B.", "E-mail", "Mobile", "Zip", "Gender", "Newsletter", "Interests"]

write("patients-messy", [
    ("Notes", [["This workbook's first sheet is not the patient list"]]),
    ("Patients", [
        [("merge", "Patient list - exported from PracticeSoft 01/11/2026", 9)],
        [],
        HEADER,
        [1001, "Smith, Anna", ("date", "1950-03-04"), "Anna.Smith@Example.COM", 5550102030, 7030, "F", "yes", "diabetes-program; newsletter"],
        ["1002", "Jones, Bob", ("date", "1985-12-24"), "bob@mail.org", "(555) 010-9999", "10001", "male", "no", ""],
        [1003, "García, José", "04/13/1972", "jose@example.com", "+1 555 123 4567", 10002, "M", "", "cosmetic"],
        [1004, "Nguyen, Mai", "1999-07-01", "not-an-email", "", 94110, "F", "yes", ""],
        [1005, "O'Brien, Siobhán", "31.12.1960", "", 5559876543, 10003, "F", "", ""],
        [1001, "Smith, Anna", ("date", "1950-03-04"), "anna.smith@example.com", 5550102030, 7030, "F", "yes", ""],
        [1006, "=HYPERLINK(\"http://evil.example\",\"click\")", "1970-01-01", "eve@example.com", "", "", "", "", ""],
        [1007, "Lee, Kim", "1/2/1990", "kim@example.com", "", 10004, "X", "", ""],
        [],
        [],
    ]),
])

write("one-row", [("Sheet1", [
    ["Last name", "First name", "Email", "Date of birth"],
    ["Solo", "Han", "han@example.com", ("date", "1977-05-25")],
])])

write("empty", [("Sheet1", [])])

write("visits", [("Visits", [
    ["Chart #", "Date of service", "Procedure"],
    [1001, ("date", "2025-10-02"), "Flu shot"],
    [1001, ("date", "2025-11-20"), "Annual physical"],
    ["1002", "10/15/2025", "flu shot"],
    [1003, ("date", "2025-10-02"), "Flu Shot"],
    [9999, ("date", "2025-10-02"), "Flu shot"],
    [1003, "", "Flu shot"],
    [1001, ("date", "2025-10-02"), "flu  shot"],
])])
