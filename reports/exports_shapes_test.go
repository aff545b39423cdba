package reports

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"kindly/data"
)

// The column names of common practice systems' and contact books' exports
// are read without the practice mapping them.
func TestExportShapesOfCommonSystems(t *testing.T) {
	for _, c := range []struct {
		name, csv string
		want     data.Patient
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
			if _, res, err := ImportPatients(context.Background(), s, path, Options{}, nil); err != nil || res.Added != 1 {
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
