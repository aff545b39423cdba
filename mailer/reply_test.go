package mailer

import "testing"

// Real server replies, each with the stage it came at, and what it means:
// whose problem, for how long, and why. The texts are the providers' own
// (Gmail, Microsoft 365, Outlook.com, Yahoo, iCloud, Postfix, Exim,
// Sendmail, qmail, Exchange), as they document them.
func TestInterpretRealReplies(t *testing.T) {
	const front = "Sunny Clinic <front@sunny.example>"
	for _, c := range []struct {
		stage     Stage
		code      int
		status    string
		text      string
		party     Party
		temporary bool
		reason    Reason
	}{
		// This patient's address.
		{StageRcptTo, 550, "5.1.1", "The email account that you tried to reach does not exist. Please try double-checking the recipient's email address for typos or unnecessary spaces. https://support.google.com/mail/?p=NoSuchUser", PartyRecipient, false, ReasonUserUnknown},
		{StageRcptTo, 550, "5.1.10", "RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup", PartyRecipient, false, ReasonUserUnknown},
		{StageRcptTo, 550, "5.5.0", "Requested action not taken: mailbox unavailable (S2017062302)", PartyRecipient, false, ReasonUserUnknown},
		{StageRcptTo, 554, "", "delivery error: dd This user doesn't have a yahoo.com account (x@yahoo.com) [0] - mta1234.mail.gq1.yahoo.com", PartyRecipient, false, ReasonUserUnknown},
		{StageRcptTo, 550, "5.1.1", "<ann@example.org>: Recipient address rejected: User unknown in virtual mailbox table", PartyRecipient, false, ReasonUserUnknown},
		{StageRcptTo, 550, "", "No Such User Here", PartyRecipient, false, ReasonUserUnknown},
		{StageRcptTo, 550, "5.4.1", "Recipient address rejected: Access denied. AS(201806281)", PartyRecipient, false, ReasonUserUnknown},
		{StageRcptTo, 551, "5.1.6", "User has moved; please try <pam@newjob.example>", PartyRecipient, false, ReasonHasMoved},
		{StageRcptTo, 556, "5.1.10", "Recipient address has null MX", PartyRecipient, false, ReasonNotAccept},
		// A full mailbox is the patient's, and for now, whatever the code.
		{StageRcptTo, 552, "5.2.2", "The email account that you tried to reach is over quota. Please direct the recipient to https://support.google.com/mail/?p=OverQuotaPerm", PartyRecipient, true, ReasonMailboxFull},
		{StageRcptTo, 452, "4.2.2", "The email account that you tried to reach is over quota.", PartyRecipient, true, ReasonMailboxFull},
		{StageAfterData, 554, "5.2.2", "mailbox full; STOREDRV.Deliver.Exception:QuotaExceededException.MapiExceptionShutoffQuotaExceeded", PartyRecipient, true, ReasonMailboxFull},
		{StageRcptTo, 550, "5.2.1", "The email account that you tried to reach is disabled. https://support.google.com/mail/?p=DisabledUser", PartyRecipient, false, ReasonSuspend},
		{StageRcptTo, 450, "4.2.1", "The user you are trying to contact is receiving mail at a rate that prevents additional messages from being delivered.", PartyRecipient, true, ReasonSpeeding},
		{StageRcptTo, 450, "4.7.1", "<gus@example.net>: Recipient address rejected: Greylisted, see http://postgrey.schweikert.ch/help/example.net.html", PartyRecipient, true, ReasonSpeeding},
		{StageRcptTo, 451, "4.7.1", "Greylisting in action, please come back later", PartyRecipient, true, ReasonSpeeding},
		// The receiving side refuses this email: the patient's email fails,
		// the address stays usable.
		{StageAfterData, 550, "5.7.1", "[192.0.2.10] Our system has detected that this message is likely unsolicited mail. To reduce the amount of spam sent to Gmail, this message has been blocked.", PartyRecipient, false, ReasonSpam},
		{StageAfterData, 550, "5.7.26", "Unauthenticated email from sunny.example is not accepted due to domain's DMARC policy.", PartyRecipient, false, ReasonAuthFailure},
		{StageRcptTo, 554, "5.7.1", "Service unavailable; Client host [192.0.2.10] blocked using zen.spamhaus.org", PartyRecipient, false, ReasonBlocked},
		{StageRcptTo, 550, "5.7.606", "Access denied, banned sending IP [192.0.2.10].", PartyRecipient, false, ReasonBlocked},
		{StageRcptTo, 550, "5.7.25", "[192.0.2.10] The IP address sending this message does not have a PTR record setup", PartyRecipient, false, ReasonRequirePTR},
		{StageAfterData, 552, "5.3.4", "Message size exceeds fixed limit", PartyMessage, false, ReasonMesgTooBig},
		{StageAfterData, 554, "5.7.1", "The message was rejected because it contains a virus: Eicar-Test-Signature", PartyMessage, false, ReasonVirus},
		// The practice's own account or sender: only these stop a run.
		{StageMailFrom, 550, "5.4.5", "Daily user sending quota exceeded. https://support.google.com/mail/?p=ReachedLimit", PartySender, true, ReasonSpeeding},
		{StageRcptTo, 550, "5.4.5", "Daily user sending quota exceeded.", PartySender, true, ReasonSpeeding},
		{StageAfterData, 554, "5.2.0", "STOREDRV.Submission.Exception:SubmissionQuotaExceededException; Failed to process message due to a permanent exception", PartySender, true, ReasonSpeeding},
		{StageMailFrom, 451, "4.7.0", "Try again later, too many messages from this account", PartySender, true, ReasonSpeeding},
		{StageRcptTo, 553, "5.1.8", "<front@sunny.example>: Sender address rejected: Domain not found", PartySender, false, ReasonRejected},
		{StageRcptTo, 550, "5.7.1", "Relaying denied", PartySender, false, ReasonNoRelaying},
		{StageRcptTo, 554, "5.7.1", "<fay@example.com>: Relay access denied", PartySender, false, ReasonNoRelaying},
		{StageAfterData, 550, "5.7.60", "SMTP; Client does not have permissions to send as this sender", PartySender, false, ReasonSecurity},
		{StageMailFrom, 530, "5.7.57", "Client not authenticated to send mail. [MW4PR03CA0001.namprd03.prod.outlook.com]", PartySender, false, ReasonSecurity},
		{StageAuth, 535, "5.7.139", "Authentication unsuccessful, basic authentication is disabled.", PartySender, false, ReasonAuthFailure},
		{StageAuth, 535, "5.7.8", "Username and Password not accepted. https://support.google.com/mail/?p=BadCredentials", PartySender, false, ReasonAuthFailure},
		{StageGreeting, 554, "", "mx.example.com ESMTP not accepting connections", PartySender, false, ReasonBlocked},
		// The connection, whatever the words.
		{StageRcptTo, 421, "4.7.0", "Try again later, closing connection.", PartyConnection, true, ReasonSpeeding},
		{StageGreeting, 421, "4.3.2", "Service not available, closing transmission channel", PartyConnection, true, ReasonNotAccept},
		{StageData, 451, "4.3.0", "Mail server temporarily rejected message.", PartyConnection, true, ReasonSystemError},
	} {
		v := Interpret(Reply{Stage: c.stage, Code: c.code, Status: c.status, Text: c.text, Sender: front})
		if v.Party != c.party || v.Temporary != c.temporary || v.Reason != c.reason {
			t.Errorf("%v %d %s %q:\n  got  %v, temporary %v, %s\n  want %v, temporary %v, %s", c.stage, c.code, c.status, c.text,
				v.Party, v.Temporary, v.Reason, c.party, c.temporary, c.reason)
		}
	}
}

// Only a bad address, domain or a move make an address unusable by one
// reply; a full mailbox, a block or a temporary failure never do.
func TestAddressUnusable(t *testing.T) {
	for _, c := range []struct {
		v    Verdict
		want bool
	}{
		{Verdict{Party: PartyRecipient, Reason: ReasonUserUnknown}, true},
		{Verdict{Party: PartyRecipient, Reason: ReasonHostUnknown}, true},
		{Verdict{Party: PartyRecipient, Reason: ReasonUserUnknown, Temporary: true}, false},
		{Verdict{Party: PartyRecipient, Reason: ReasonMailboxFull}, false},
		{Verdict{Party: PartyRecipient, Reason: ReasonSuspend}, false},
		{Verdict{Party: PartyRecipient, Reason: ReasonBlocked}, false},
		{Verdict{Party: PartySender, Reason: ReasonUserUnknown}, false},
	} {
		if got := c.v.AddressUnusable(); got != c.want {
			t.Errorf("%+v: %v", c.v, got)
		}
	}
}
