package reports

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"kindly/data"
	"kindly/internal/storetest"
)

// The column names of common practice systems' and contact books' exports
// are read without the practice mapping them.
func TestExportShapesOfCommonSystems(t *testing.T) {
	for _, c := range []struct {
		name, csv string
		want      data.Patient
	}{
		{"athenahealth", "PATIENTID,PATIENT FIRSTNAME,PATIENT LASTNAME,PATIENT DOB,PATIENT SEX,PATIENT EMAIL,PATIENT MOBILE NO,PATIENT HOME PHONE,PATIENT ZIP\n" +
			"10234,Ann,Lee,03/04/1960,F,ann@example.com,(555) 201-0100,(555) 201-0199,02139\n",
			data.Patient{ExternalID: "10234", FirstName: "Ann", LastName: "Lee", Sex: "F", Email: "ann@example.com", Phone: "(555) 201-0100", PostalCode: "02139"}},
		{"eClinicalWorks", "Account No,Patient First Name,Patient Last Name,DOB,Gender,Email,Patient Mobile No,Patient Home Phone,Zip\n" +
			"A77,Bob,Kim,1971-05-06,Male,bob@example.com,555-201-0200,,10001\n",
			data.Patient{ExternalID: "A77", FirstName: "Bob", LastName: "Kim", Sex: "M", Email: "bob@example.com", Phone: "555-201-0200", PostalCode: "10001"}},
		{"Google Contacts", "Name,Given Name,Family Name,Birthday,E-mail 1 - Type,E-mail 1 - Value,Phone 1 - Type,Phone 1 - Value,Address 1 - Postal Code\n" +
			"Cara Diaz,Cara,Diaz,1980-07-08,* Home,cara@example.com,Mobile,+1 555 201 0300,94110\n",
			data.Patient{FirstName: "Cara", LastName: "Diaz", Email: "cara@example.com", Phone: "+1 555 201 0300", PostalCode: "94110"}},
		{"Dentrix", "Chart #,Patient Name,Birthdate,Gender,Email,Mobile Phone,Home Phone,Zip\n" +
			"DX1001,\"Owens, Dana\",04/05/1966,F,dana@example.com,(555) 201-0400,(555) 201-0499,60601\n",
			data.Patient{ExternalID: "DX1001", FirstName: "Dana", LastName: "Owens", Sex: "F", Email: "dana@example.com", Phone: "(555) 201-0400", PostalCode: "60601"}},
		{"Eaglesoft", "Patient ID,Last Name,First Name,Birth Date,Sex,E-Mail,Cell Phone,Zip Code\n" +
			"1207,Ruiz,Eli,1972-08-09,M,eli@example.com,555-201-0500,30301\n",
			data.Patient{ExternalID: "1207", FirstName: "Eli", LastName: "Ruiz", Sex: "M", Email: "eli@example.com", Phone: "555-201-0500", PostalCode: "30301"}},
		{"Practice Fusion", "Patient Record Number,First Name,Last Name,DOB,Sex,Email,Mobile Phone,Zip\n" +
			"PF-88,Fay,Chen,09/10/1983,Female,fay@example.com,555-201-0600,98101\n",
			data.Patient{ExternalID: "PF-88", FirstName: "Fay", LastName: "Chen", Sex: "F", Email: "fay@example.com", Phone: "555-201-0600", PostalCode: "98101"}},
		{"Kareo/Tebra", "Patient ID,First Name,Last Name,Date of Birth,Gender,Email Address,Mobile Phone,Zip Code\n" +
			"K-5,Gus,Park,1990-11-12,Male,gus@example.com,555-201-0700,85001\n",
			data.Patient{ExternalID: "K-5", FirstName: "Gus", LastName: "Park", Sex: "M", Email: "gus@example.com", Phone: "555-201-0700", PostalCode: "85001"}},
		{"Open Dental", "PatNum,LName,FName,Birthdate,Gender,Email,WirelessPhone,HmPhone,Zip\n" +
			"311,Ito,Hana,1979-12-13,Female,hana@example.com,555-201-0800,555-201-0899,73301\n",
			data.Patient{ExternalID: "311", FirstName: "Hana", LastName: "Ito", Sex: "F", Email: "hana@example.com", Phone: "555-201-0800", PostalCode: "73301"}},
		{"CGM/Medistar", "Patientennummer;Name;Vorname;Geburtsdatum;Geschlecht;E-Mail;Telefon mobil;PLZ\n" +
			"4711;Schmidt;Jan;14.02.1958;M;jan@example.de;0171 2345678;10115\n",
			data.Patient{ExternalID: "4711", FirstName: "Jan", LastName: "Schmidt", Sex: "M", Email: "jan@example.de", Phone: "0171 2345678", PostalCode: "10115"}},
		{"Outlook contacts", "First Name,Middle Name,Last Name,E-mail Address,Mobile Phone,Home Postal Code,Birthday\n" +
			"Ivy,,Lund,ivy@example.com,+1 555 201 0900,55401,3/15/1988\n",
			data.Patient{FirstName: "Ivy", LastName: "Lund", Email: "ivy@example.com", Phone: "+1 555 201 0900", PostalCode: "55401"}},
		{"Doctolib", "Nom,Prénom,Sexe,Date de naissance,Email,Téléphone portable,Code postal\n" +
			"Martin,Luc,H,12/03/1975,luc@example.fr,06 12 34 56 78,75011\n",
			data.Patient{FirstName: "Luc", LastName: "Martin", Sex: "M", Email: "luc@example.fr", Phone: "06 12 34 56 78", PostalCode: "75011"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := newStore(t)
			path := filepath.Join(t.TempDir(), "export.csv")
			if err := os.WriteFile(path, []byte(c.csv), 0o600); err != nil {
				t.Fatal(err)
			}
			if _, res, err := importPatients(context.Background(), s, path, Options{}, nil); err != nil || res.Added != 1 {
				t.Fatalf("%+v, %v", res, err)
			}
			var got data.Patient
			s.EachPatient(context.Background(), func(p data.Patient) error { got = p; return nil })
			w := c.want
			if got.ExternalID != w.ExternalID || got.FirstName != w.FirstName || got.LastName != w.LastName || got.Sex != w.Sex ||
				got.Email != w.Email || got.Phone != w.Phone || got.PostalCode != w.PostalCode || got.BirthDate.IsZero() {
				t.Errorf("got %+v\nwant %+v", got, w)
			}
		})
	}
}

// A workbook whose names are UTF-8 misread as Windows-1252 ("MÃ¼ller")
// never replaces the stored "Müller": the stored text is kept, the row
// flagged, and the dry run says the file looks double-encoded.
func TestReimportOfMisreadNamesKeepsTheStoredOnes(t *testing.T) {
	py := "/usr/bin/python3" // Debian's, with python3-openpyxl
	if err := exec.Command(py, "-c", "import openpyxl").Run(); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("python3-openpyxl is missing in CI: %v", err)
		}
		t.Skip("python3-openpyxl not installed (apt-get install python3-openpyxl)")
	}
	s := newStore(t)
	dir := t.TempDir()
	good := filepath.Join(dir, "good.csv")
	os.WriteFile(good, []byte("ID,First name,Last name,Email\n1,Jürgen,Müller,jm@example.de\n2,Zoë,Ångström,za@example.se\n"), 0o600)
	if _, _, err := importPatients(context.Background(), s, good, Options{}, nil); err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(dir, "bad.xlsx")
	script := `import sys, openpyxl
wb = openpyxl.Workbook(); ws = wb.active
ws.append(["ID", "First name", "Last name", "Email"])
for row in [["1", "Jürgen", "Müller", "jm@example.de"], ["2", "Zoë", "Ångström", "za@example.se"], ["3", "René", "Lefèvre", "rl@example.fr"]]:
    ws.append([c.encode("utf-8").decode("cp1252", errors="strict") if i in (1, 2) else c for i, c in enumerate(row)])
wb.save(sys.argv[1])
`
	if out, err := exec.Command(py, "-c", script, bad).CombinedOutput(); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	p, res, err := importPatients(context.Background(), s, bad, Options{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Updated != 0 {
		t.Errorf("%d patients updated with misread names", res.Updated)
	}
	got := map[string]data.Patient{}
	s.EachPatient(context.Background(), func(p data.Patient) error { got[p.ExternalID] = p; return nil })
	if got["1"].LastName != "Müller" || got["1"].FirstName != "Jürgen" || got["2"].LastName != "Ångström" {
		t.Errorf("stored names replaced: %+v %+v", got["1"], got["2"])
	}
	flags := map[int]string{}
	for _, f := range p.RowFlags() {
		flags[f.Row] = f.Reason
	}
	if !strings.Contains(flags[2], "stored text is kept") || !strings.Contains(flags[4], "probably Lefèvre") {
		t.Errorf("flags %v", flags)
	}
	if w := strings.Join(p.Warnings, "\n"); !strings.Contains(w, "looks double-encoded: 3 rows") {
		t.Errorf("warnings %q", p.Warnings)
	}
}

// The rejected rows' workbook writes dates as dates, as the sheet showed
// them - not as the serial numbers a workbook stores ("42991").
func TestRejectsKeepDatesAsDates(t *testing.T) {
	s := newStore(t)
	path := filepath.Join(t.TempDir(), "patients.xlsx")
	f := excelize.NewFile()
	f.SetSheetRow("Sheet1", "A1", &[]any{"ID", "Last name", "First name", "Date of birth"})
	f.SetSheetRow("Sheet1", "A2", &[]any{1, "Lee", "Ann", time.Date(2017, 9, 12, 0, 0, 0, 0, time.UTC)})
	f.SetSheetRow("Sheet1", "A3", &[]any{2, "12", "", time.Date(1960, 3, 4, 0, 0, 0, 0, time.UTC)})
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	f.Close()
	p, err := planFile(t, s, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	rejects := filepath.Join(t.TempDir(), "rejects.xlsx")
	if n, err := WriteRejects(p, rejects); err != nil || n != 1 {
		t.Fatalf("rejects: %d, %v", n, err)
	}
	got := readWithOpenpyxl(t, rejects)
	if len(got.Rows) != 2 || got.Rows[1][5] != "1960-03-04" || got.Types[1][5] != "d" && got.Types[1][5] != "n" {
		t.Fatalf("rejects: %q types %q", got.Rows, got.Types)
	}
}

// A new database that does not know the practice's country asks for it
// before four-digit postal codes (07030 stored as 7030) are imported as
// they are.
func TestShortZipsWithoutACountryAreAskedAbout(t *testing.T) {
	s := newStore(t)
	storetest.SetZone(t, s, "") // a new database: no time zone, no country
	path := filepath.Join(t.TempDir(), "ne.xlsx")
	f := excelize.NewFile()
	f.SetSheetRow("Sheet1", "A1", &[]any{"ID", "Last name", "First name", "Zip"})
	f.SetSheetRow("Sheet1", "A2", &[]any{1, "Lee", "Ann", 7030})
	f.SetSheetRow("Sheet1", "A3", &[]any{2, "Kim", "Bob", 2139})
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	f.Close()
	p, err := planFile(t, s, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if w := strings.Join(p.Warnings, "\n"); !strings.Contains(w, "practice's country is not known") {
		t.Errorf("warnings %q", p.Warnings)
	}
}
