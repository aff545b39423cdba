#!/usr/bin/env python3
"""Writes test fixtures shaped like real practice exports, with openpyxl (an
independent xlsx writer) and Python's csv module: the column names of
practice systems (Open Dental, German, French and Spanish ones), Outlook and
Mailchimp exports, and the cells real sheets hold - Excel error values, a
formula's text, placeholder dates, hidden columns, totals rows, blank lines,
a line in another encoding. The files are committed; rerun this only to
change them:

    cd reports/testdata && /usr/bin/python3 make-real-fixtures.py
"""
import csv
import datetime
import openpyxl


def xlsx(name, sheets, hidden=None):
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, rows in sheets:
        ws = wb.create_sheet(title)
        for r in rows:
            ws.append([None if v is None else v for v in r])
        for row in ws.iter_rows():
            for c in row:
                if isinstance(c.value, str) and c.value.startswith("#") and c.value.endswith(("!", "?", "A")):
                    c.data_type = "e"  # a real Excel error cell
                elif isinstance(c.value, str) and c.value.startswith("="):
                    c.data_type = "s"  # a formula's text, as a text cell
        for col in (hidden or {}).get(title, []):
            ws.column_dimensions[col].hidden = True
    wb.save(name + ".xlsx")
    print("wrote", name + ".xlsx")


def text(name, rows, delimiter=",", encoding="utf-8", lines=None):
    with open(name, "w", newline="", encoding=encoding) as f:
        csv.writer(f, delimiter=delimiter).writerows(rows)
    print("wrote", name)


D = datetime.datetime

# Open Dental's patient export, with what such sheets end up holding.
xlsx("opendental", [
    ("Read me", [["Exported from Open Dental"], ["Do not edit the patient list by hand"]]),
    ("Patients", [
        ["PatNum", "LName", "FName", "Preferred", "PatStatus", "Gender", "Birthdate", "HmPhone", "WirelessPhone", "E-mail", "Email", "Zip"],
        [101, "Abbott", "Alice", "Ally", "Patient", "Female", D(1950, 3, 4), "555-0101", "555-0201", "old@x.example", "alice@example.com", 7030],
        [102, "Brown", "Bob", "", "Deceased", "Male", D(1931, 6, 1), "555-0102", "", "", "bob@example.com", "10001"],
        [103, "Chen", "Carol", "", "Inactive", "Female", D(1988, 8, 8), "", "555-0203", "", "carol@example.com", 2134],
        [104, "#REF!", "Dana", "", "Patient", "F", "0001-01-01", "", "", "", "#N/A", 94110],
        [105, "#N/A", "#N/A", "", "Patient", "", "", "", "", "", "", ""],
        [106, "=HYPERLINK(\"http://x.example\",\"Eve\")", "Eve", "", "Archived", "", D(1970, 1, 1), "", "", "", "eve@example", "60601", "extra", "cells"],
        [107, "Fox", "Finn", "", "VIP", "M", "13/13/1980", "", "555-0207", "", "finn@example.com", 501],
        [108, "@Grant", "Gail", "", "Moved", "F", D(1966, 6, 6), "", "", "", "gail@example.com", "02134-1234"],
        ["Total patients: 8"],
    ]),
], hidden={"Patients": ["J"]})

# A German practice system's list: Name and Vorname, dotted dates, a status.
xlsx("german", [
    ("Patientenliste", [
        ["Pat.-Nr.", "Name", "Vorname", "Geb.-Datum", "Geschlecht", "E-Mail-Adresse", "Mobil", "Postleitzahl", "Status"],
        ["A-1", "Müller", "Jürgen", "04.03.1950", "männlich", "juergen@example.de", "0151 2345678", 1067, "aktiv"],
        ["A-2", "Schröder", "Ute", "31.12.1961", "weiblich", "ute@example", "0160 1112223", "80331", "verstorben"],
        ["A-3", "Weiß", "Anna", "1.2.1990", "w", "anna@example.de", "", "10115", "verzogen"],
        ["Anzahl: 3"],
    ]),
])

# A French export (UTF-8 with a BOM, semicolons).
with open("french.csv", "w", newline="", encoding="utf-8-sig") as f:
    csv.writer(f, delimiter=";").writerows([
        ["N° dossier", "Nom", "Prénom", "Date de naissance", "Sexe", "Courriel", "Portable", "Code postal", "Statut"],
        ["F1", "Lefèvre", "Hélène", "14/07/1975", "F", "helene@example.fr", "06 12 34 56 78", "75011", "actif"],
        ["F2", "Dubois", "Éric", "02/11/1948", "M", "", "06 98 76 54 32", "13001", "décédé"],
    ])
print("wrote french.csv")

# A Spanish export: Nombre is the first name beside Apellidos.
text("spanish.csv", [
    ["Nº historia", "Nombre", "Apellidos", "Fecha de nacimiento", "Correo electrónico", "Móvil", "Código postal", "Estado"],
    ["E1", "José", "García López", "23/04/1969", "jose@example.es", "612 345 678", "28013", "activo"],
    ["E2", "Lucía", "Martín", "05/09/1992", "lucia@example.es", "", "08001", "inactivo"],
], delimiter=";")

# Outlook's contact export: many columns, two phones, "Birthday".
outlook_header = ["Title", "First Name", "Middle Name", "Last Name", "Suffix", "Company", "Department", "Job Title",
                  "Business Street", "Business City", "Business Postal Code", "Home Street", "Home City",
                  "Home Postal Code", "Business Phone", "Home Phone", "Mobile Phone", "Birthday", "E-mail Address",
                  "E-mail Type", "Notes"]
text("outlook.csv", [
    outlook_header,
    ["", "Grace", "", "Hopper", "", "", "", "", "", "", "", "1 Navy Way", "Arlington", "22201", "", "555-0301",
     "555-0401", "12/9/1936", "grace@example.com", "SMTP", "Prefers mornings"],
    ["", "Alan", "", "Turing", "", "", "", "", "", "", "", "", "", "", "", "", "555-0402", "6/23/1912",
     "alan@example.com", "SMTP", ""],
])

# Mailchimp's audience export.
text("mailchimp.csv", [
    ["Email Address", "First Name", "Last Name", "Address", "Phone Number", "Birthday", "MEMBER_RATING", "OPTIN_TIME", "TAGS"],
    ["ada@example.com", "Ada", "Lovelace", "", "555-0501", "12/10", "2", "2026-01-02 10:00:00", "\"newsletter\""],
])

# A CSV as a text editor shows it: blank lines, a tab and a line break in a
# name, an escape code, and one line in Windows-1252 in a UTF-8 file.
with open("odd-lines.csv", "wb") as f:
    f.write("Last name,First name,Email,Date of birth\r\n".encode())
    f.write("\r\n".encode())
    f.write("Zoë,Anna,anna@example.com,1970-01-01\r\n".encode())
    f.write("\r\n\r\n".encode())
    f.write("Müller,Bernd,bernd@example.com,1971-02-02\r\n".encode("cp1252"))
    f.write('"Tab\tby\nline",Carl,carl@example.com,1972-03-03\r\n'.encode())
    f.write("Evil\x1b[31mRed,Dora,dora@example.com,1973-04-04\r\n".encode())
print("wrote odd-lines.csv")

text("header-only.csv", [["Last name", "First name", "Email"]])
