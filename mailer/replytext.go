package mailer

import (
	"regexp"
	"strings"
)

// reasonText is one known server text and the reason it gives.
type reasonText struct {
	reason Reason
	words  *regexp.Regexp
	// specific: these words say more than any status code beside them
	// (Exim's "retry timeout exceeded" comes with 5.0.0).
	specific bool
	// weak: catch-all words that never outrank a status code.
	weak bool
	// sure: "user unknown" words that hold whatever the stage; others,
	// not in answer to RCPT TO, are a filter's (the address exists).
	sure bool
}

// reasonTexts are the words of the common mail servers, most telling
// first. They decide only where the enhanced status code says little.
var reasonTexts = []reasonText{
	{ReasonExpired, words(`retry timeout exceeded|retry time not reached for any host after a long failure period|` +
		`delivery time expired|message expired|too long in (the )?queue|maximum time in queue|retry period expired|` +
		`could not be delivered (with)?in \d+ (days|hours)|could not be delivered for \d+|was not delivered within|` +
		`message timed out|have been failing for a long time|undeliverable for a long|expired after`), true, false, false},
	// A name server that failed to answer is a network problem, not a
	// domain without mail servers (Postfix's "Host not found, try again").
	{ReasonNetworkError, words(`name service error.*(try again|malformed|unexpected|timed out|server failure)|` +
		`host not found, try again|temporary failure in name resolution|dns (lookup )?(timeout|temporary failure|servfail)`), true, false, false},
	// The sending server itself refused (its name, its relay, a block
	// list, its pace), before any word about the address, whatever code
	// came with it ("553 5.1.3 ... spamhaus", "550 5.1.1 ... has sent to
	// too many recipients this hour").
	{ReasonBlocked, words(`my name was rejected|no access from mail server|open relay|not accepting connections`), false, false, false},
	{ReasonBlocked, words(`spamhaus|spamcop|blocked using|dnsbl|barracudacentral`), true, false, false},
	{ReasonSpeeding, words(`has sent (to )?too many|too many recipients this hour|sent too many (messages|emails)|exceeded (the|its|your) (rate|sending) limit`), true, false, false},
	// A program on the receiving side that failed to deliver (procmail).
	{ReasonMailerError, words(`procmail|maildrop|couldn't create "?/`), true, false, false},
	{ReasonMailboxFull, words(`mailbox (is |was )?full|not enough disk space|mail ?box (size |storage )?(limit|quota) exceeded|over ?quota|` +
		`(mailbox|disk|storage|user'?s?) quota|quota (exceeded|exceed|full)|exceeded (the )?(storage|mailbox)|` +
		`is over (its|the|their) (quota|storage)|mail ?folder is full|mailbox has exceeded|insufficient (disk )?space in|` +
		`account is full|mailbox (storage )?full|out of storage|postfach (ist )?voll|bo[iî]te (aux lettres )?pleine|buz[oó]n lleno|` +
		`user (is )?over|too much mail data|mailbox size`), true, false, false},
	{ReasonVirus, words(`virus|malware|infected|trojan`), false, false, false},
	{ReasonNoRelaying, words(`relay(ing)? (access )?(denied|not (permitted|allowed))|not permitted to relay|unable to relay|` +
		`we do not relay|relaying (is )?(not allowed|prohibited|disallowed)|not allowed to relay|no relaying|relay not allowed|` +
		`cannot relay|isn't allowed to relay|not a gateway`), false, false, false},
	{ReasonHasMoved, words(`has moved|address has changed|no longer (at|with) this|has been moved|moved to a new`), false, false, false},
	{ReasonSuspend, words(`(account|mailbox|address|user) (is |has been |was )?(disabled|deactivated|suspended|inactive|frozen|locked|expired|closed)|` +
		`(disabled|deactivated|suspended|inactive|closed|expired) (account|mailbox|user)|account that you tried to reach is disabled|` +
		`not (an )?active (user|account|mailbox)|temporarily (disabled|suspended)|mailbox (is )?(not )?(currently )?(suspended|inactive)|` +
		`user (is )?(terminated|suspended)|recipient suspended|is inactive`), false, false, false},
	{ReasonHostUnknown, words(`host (or domain name )?(not found|unknown)|unknown host|domain (name )?not found|no mx|` +
		`name or service not known|unrouteable (mail )?domain|nxdomain|domain (does not|doesn't) exist|dns error|` +
		`no valid (mx|host)|all relevant mx records point to non-existent hosts|unknown domain|invalid domain|` +
		`name service error|domain (is )?(not|no longer) (valid|registered|in use)|hostname not found|host not found|` +
		`no such domain|domain unknown|domain may not exist|domain is not reachable|unrouteable address|dns lookup failure|` +
		`host \S+ not found|^\d{3} [a-z0-9-]+(\.[a-z0-9-]+)+ does not exist|[^@<\w][a-z0-9-]+(\.[a-z0-9-]+)*\.[a-z]{2,} does not exist`), false, false, false},
	{ReasonUserUnknown, words(`no such (user|recipient|mailbox|address|account|person|local user)|couldn't be found|could not be found|` +
		`(recipient|address|mailbox) not found|recipientnotfound|address couldn't|` +
		`no mailbox here|not a valid (mailbox|recipient)|unknown recipient|recipient unknown|mailbox unavailable|` +
		`user doesn't have|recipient address rejected: access denied|invalid recipient|destinataire invalide|` +
		`invalid final delivery userid|check if (the )?address is correct|not listed in (the )?public name (&|and) address book|not listed in (domino|the directory)`), false, false, true},
	{ReasonUserUnknown, words(`user unknown|unknown user|no such (user|recipient|mailbox|address|account|person|local user)|` +
		`(does not|doesn't|does ?n[o']t|did not) exist|not exists?\b|(recipient|user|address|mailbox|account) (was )?not found|` +
		`recipientnotfound|invalid (recipient|mailbox|address|user|email address)|mailbox unavailable|unrouteable address|` +
		`not a valid (mailbox|user|recipient|address)|couldn't be found|could not be found|no mailbox|unknown (recipient|local ?part|address|alias|or illegal alias)|` +
		`recipient (address )?unknown|address unknown|bad destination (mailbox|email)|destination address invalid|` +
		`user doesn't have|no account by that name|not our customer|user not (here|local)|unknown (mailbox|account)|` +
		`this account is not|mailbox name not allowed|invalid address|addressee unknown|no valid recipients?|user invalid|` +
		`unbekannt|existiert nicht|n'existe pas|introuvable|no existe|desconocido|no such user here|` +
		`unknown or illegal|is not a known user|mailbox not available|recipient address rejected\.?\s*(\(in reply|$)`), false, false, false},
	{ReasonNotAccept, words(`does not accept (e-?)?mail|null mx|not accepting (any )?(e-?)?mail|accepts no mail|no mail (is )?accepted|indicated no smtp service|no smtp service`), false, false, false},
	{ReasonRequirePTR, words(`reverse (dns|lookup|hostname)|no ptr|ptr record|cannot find your (hostname|reverse)|` +
		`cannot resolve your (address|hostname)|client host (name )?(lookup|unknown)|hostname (does not|doesn't) match|` +
		`not have (a )?reverse|rdns|unresolvable (address|host)`), false, false, false},
	{ReasonBadReputation, words(`(bad|poor|low|sender|ip) reputation|reputation (is|too) low`), false, false, false},
	{ReasonBlocked, words(`blocked using|block ?list|black ?list|listed (at|in|on|by)|spamhaus|spamcop|dnsbl|\brbl\b|` +
		`client host rejected|(ip|host|connection|server) (is |has been |was )?(blocked|banned|blacklisted|rejected)|` +
		`(banned|blocked) (sending )?ip|access denied|connection refused by|your ip|temporarily (deferred|blocked)|` +
		`currently (blocked|suspended)|denied by (policy|sbl)|refused to talk|not allowed to (send|connect)`), false, false, false},
	{ReasonSpam, words(`spam|junk mail|unsolicited|bulk (mail|email)|(classified|identified|considered|detected) as|` +
		`looks like|suspicious|scored too high|content (filter|rejected)|message (content )?rejected`), false, false, false},
	{ReasonAuthFailure, words(`\bspf\b|\bdkim\b|\bdmarc\b|sender policy framework|does not designate|not designated|authentication (check )?failed`), false, false, false},
	{ReasonRejected, words(`sender address rejected|sender (is )?rejected|sender verify failed|invalid sender|unverified sender|` +
		`sender domain|domain of sender|envelope sender|mail from.*(rejected|refused)`), false, false, false},
	{ReasonSpeeding, words(`rate limit|too many (messages|emails|mails)|(sending|message) rate|throttl|slow down|exceeded (the )?rate|` +
		`sent too many|too fast|greylist|graylist|try (again )?(later|in \d+)|receiving mail at a rate|` +
		`resources (temporarily )?unavailable`), false, false, false},
	{ReasonTooManyConn, words(`too many (connections|concurrent|recipients|sessions)|connection limit|concurrent connections`), false, false, false},
	{ReasonMesgTooBig, words(`message (is |was )?too (big|large)|size exceeds|exceeds (the )?(maximum|max|allowed|size)|message size|` +
		`too large|message length exceeds|exceeds size limit`), false, false, false},
	{ReasonSystemFull, words(`insufficient (system )?storage|system (is )?full|disk (is )?full|out of disk|no space left`), false, false, false},
	{ReasonNetworkError, words(`connection (timed out|refused|reset|lost|closed)|no route to host|network is unreachable|` +
		`mail loop|routing loop|loops back to myself|too many hops|hop count|lost connection|timed? ?out|` +
		`unable to connect|could not connect|host is unreachable|no answer from`), false, false, false},
	{ReasonPolicy, words(`policy|not authori[sz]ed|prohibited|administratively|not permitted|restricted|rejected for policy`), false, false, false},
	{ReasonFiltered, words(`filtered|rejected by (the )?recipient|refused by (the )?recipient|recipient (has )?(blocked|rejects|refused)|` +
		`not accepting mail from|does not accept mail from|delivery not authori[sz]ed|user reject|refuses to receive`), false, false, false},
	{ReasonFiltered, words(`rejected|refused`), false, true, false},
	{ReasonSyntaxError, words(`syntax error|command unrecognized|bad sequence|unrecognized command|line too long`), false, false, false},
	{ReasonMailerError, words(`mailer error|program failed|command died|pipe to|exit code|unknown mailer`), false, false, false},
	{ReasonNotCompliantRFC, words(`rfc ?5322|rfc ?2822|not (rfc|standards?)[ -]compliant|multiple (from|to|subject|date) headers`), false, false, false},
	{ReasonContentError, words(`header|8-?bit|encoding|content`), false, true, false},
	{ReasonSecurity, words(`tls (is )?required|must issue a starttls|encryption (is )?required|starttls`), false, false, false},
	{ReasonSystemError, words(`system error|local error|internal (server )?error|server error|service (not )?(un)?available|` +
		`temporary (local )?(failure|problem|error)|configuration error|try again|deferred|temporarily`), false, true, false},
}

func words(pattern string) *regexp.Regexp { return regexp.MustCompile(`(?i)(` + pattern + `)`) }

// textReason is the first known server text in a reply (nil when none).
func textReason(text string) *reasonText {
	// Addresses are not words: "spam@", "userunknown@" and "blocked.example"
	// say nothing of why.
	text = addressPattern.ReplaceAllString(text, "<address>")
	text = strings.Join(strings.Fields(text), " ") // folded lines: "Host not\n    found"
	if text == "" {
		return nil
	}
	for i := range reasonTexts {
		if reasonTexts[i].words.MatchString(text) {
			return &reasonTexts[i]
		}
	}
	return nil
}

// reasonOfText is the reason the words of a reply give ("" when none).
func reasonOfText(text string) Reason {
	if rt := textReason(text); rt != nil {
		return rt.reason
	}
	return ""
}
