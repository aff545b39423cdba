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
	var segs []widget.RichTextSegment
	var bold, footer, inBody bool
	var link *url.URL
	var linkText strings.Builder
	style := func() widget.RichTextStyle {
		st := widget.RichTextStyleInline
		if bold {
			st = widget.RichTextStyleStrong
		}
		if footer {
			st.ColorName, st.SizeName = theme.ColorNamePlaceHolder, theme.SizeNameCaptionText
		}
		return st
	}
	text := func(s string) {
		if s == "" {
			return
		}
		if link != nil {
			linkText.WriteString(s)
			return
		}
		segs = append(segs, &widget.TextSegment{Style: style(), Text: s})
	}
	// A line break is a newline in the running text; a paragraph ends with
	// an empty line.
	lineEnd := func() {
		if len(segs) > 0 {
			segs = append(segs, &widget.TextSegment{Style: style(), Text: "\n"})
		}
	}
	endBlock := func() {
		if len(segs) > 0 {
			segs = append(segs, &widget.TextSegment{Style: style(), Text: "\n\n"})
		}
	}
	for {
		switch z.Next() {
		case html.ErrorToken:
			return segs
		case html.TextToken:
			if inBody {
				t := strings.ReplaceAll(string(z.Text()), "\n", "")
				text(t)
			}
		case html.StartTagToken, html.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			switch string(name) {
			case "body":
				inBody = true
			case "strong", "b":
				bold = true
			case "br":
				lineEnd()
			case "div":
				footer = true
				endBlock()
			case "a":
				for hasAttr {
					var k, v []byte
					k, v, hasAttr = z.TagAttr()
					if string(k) == "href" {
						link, _ = url.Parse(string(v))
					}
				}
				linkText.Reset()
			}
		case html.EndTagToken:
			name, _ := z.TagName()
			switch string(name) {
			case "strong", "b":
				bold = false
			case "p":
				endBlock()
			case "a":
				if link != nil {
					segs = append(segs, &widget.HyperlinkSegment{Text: linkText.String(), URL: link, Alignment: 0})
				}
				link = nil
			case "body":
				inBody = false
			}
		}
	}
}
