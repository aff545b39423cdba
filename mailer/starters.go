package mailer

// Starters are the templates a new practice begins with.
var Starters = []Template{
	{
		Name:    "Flu shot",
		Subject: "Your flu shot at {{practice_name}}",
		Body: `Dear {{name | "patient"}},

flu season is here, and a yearly flu shot is the best way to protect yourself and the people around you.

You can get yours at {{practice_name}} - no long wait. Call us on {{practice_phone}} to book a time that suits you.

Kind regards,
{{practice_name}}`,
	},
	{
		Name:    "Annual recall",
		Subject: "Time for your yearly check-up",
		Body: `Dear {{name | "patient"}},

it has been about a year since your last check-up with us. A short yearly visit helps us notice changes early.

Please call {{practice_phone}} to book your appointment.

Kind regards,
{{practice_name}}`,
	},
	{
		Name:    "Birthday",
		Subject: "Happy birthday, {{name | \"from all of us\"}}!",
		Body: `Dear {{name | "patient"}},

everyone at {{practice_name}} wishes you a very happy birthday and a healthy year ahead.

Warm wishes,
{{practice_name}}`,
	},
	{
		Name:    "Holiday hours",
		Subject: "Our opening hours over the holidays",
		Body: `Dear {{name | "patient"}},

{{practice_name}} has different opening hours over the holidays:

**24 December to 1 January: closed**

In an emergency, please call your local emergency number. For anything else we are happy to help again from 2 January on {{practice_phone}}.

Happy holidays,
{{practice_name}}`,
	},
	{
		Name:    "New service",
		Subject: "Something new at {{practice_name}}",
		Body: `Dear {{name | "patient"}},

we are happy to tell you about a new service at {{practice_name}}.

[Describe the service in two or three sentences.]

If you would like to know more, call us on {{practice_phone}}.

Kind regards,
{{practice_name}}`,
	},
}
