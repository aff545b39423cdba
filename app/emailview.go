package app

import (
	"net/url"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"golang.org/x/net/html"
)

// emailView shows an email's HTML part as the patient sees it: paragraphs,
// line breaks, bold, links, and the footer small and grey. Kindly's
// emails use no more HTML than that (mailer.Template.Render); anything
// else shows as its text.
func emailView(htmlPart string) *widget.RichText {
	rt := widget.NewRichText(emailSegments(htmlPart)...)
	rt.Wrapping = fyne.TextWrapWord
	return rt
}

// emailSegments turns Kindly's email HTML into rich-text segments.
func emailSegments(htmlPart string) []widget.RichTextSegment {
	z := html.NewTokenizer(strings.NewReader(htmlPart))
	r := &emailRenderer{}
	for {
		switch z.Next() {
		case html.ErrorToken:
			return r.segs
		case html.TextToken:
			if r.inBody {
				r.text(strings.ReplaceAll(string(z.Text()), "\n", ""))
			}
		case html.StartTagToken, html.SelfClosingTagToken:
			r.start(z)
		case html.EndTagToken:
			name, _ := z.TagName()
			r.end(string(name))
		}
	}
}

// emailRenderer turns the HTML part into rich text as it is read: where it
// is (body, bold, footer, a link) and what it made so far.
type emailRenderer struct {
	segs                 []widget.RichTextSegment
	bold, footer, inBody bool
	link                 *url.URL
	linkText             strings.Builder
}

func (r *emailRenderer) style() widget.RichTextStyle {
	st := widget.RichTextStyleInline
	if r.bold {
		st = widget.RichTextStyleStrong
	}
	if r.footer {
		st.ColorName, st.SizeName = theme.ColorNamePlaceHolder, theme.SizeNameCaptionText
	}
	return st
}

func (r *emailRenderer) text(s string) {
	if s == "" {
		return
	}
	if r.link != nil {
		r.linkText.WriteString(s)
		return
	}
	r.segs = append(r.segs, &widget.TextSegment{Style: r.style(), Text: s})
}

// br is a line break: a newline in the running text; a paragraph ends with
// an empty line.
func (r *emailRenderer) br(paragraph bool) {
	if len(r.segs) == 0 {
		return
	}
	nl := "\n"
	if paragraph {
		nl = "\n\n"
	}
	r.segs = append(r.segs, &widget.TextSegment{Style: r.style(), Text: nl})
}

func (r *emailRenderer) start(z *html.Tokenizer) {
	name, hasAttr := z.TagName()
	switch string(name) {
	case "body":
		r.inBody = true
	case "strong", "b":
		r.bold = true
	case "br":
		r.br(false)
	case "div":
		r.footer = true
		r.br(true)
	case "a":
		for hasAttr {
			var k, v []byte
			k, v, hasAttr = z.TagAttr()
			if string(k) == "href" {
				r.link, _ = url.Parse(string(v))
			}
		}
		r.linkText.Reset()
	}
}

func (r *emailRenderer) end(name string) {
	switch name {
	case "strong", "b":
		r.bold = false
	case "p":
		r.br(true)
	case "a":
		if r.link != nil {
			r.segs = append(r.segs, &widget.HyperlinkSegment{Text: r.linkText.String(), URL: r.link, Alignment: 0})
		}
		r.link = nil
	case "body":
		r.inBody = false
	}
}
