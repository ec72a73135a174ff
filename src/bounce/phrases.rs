//! Phrase tables: what mail servers write, mapped to a reason.
//!
//! Data, not logic. Each phrase is matched case-insensitively as a substring
//! of the diagnostic text after whitespace is collapsed to single spaces. The
//! tables are consulted in the order of [`PHRASES`]: the first table with a
//! matching phrase decides, so specific sender-side texts ("blocked using
//! Spamhaus") come before the address texts they often share words with.
//! The phrases are the published error texts of MTAs and mailbox providers.

use super::reason::Reason;

/// Reason tables in priority order.
pub const PHRASES: &[(Reason, &[&str])] = &[
    // Provider codes whose published meaning is more specific than the words
    // around them. Orange (orange.fr, wanadoo.fr): OFR_506 is a message
    // refused as spam or virus, OFR_999 a temporary block of the sending IP.
    (Reason::SpamDetected, &["ofr_506"]),
    (Reason::Blocked, &["ofr_999"]),
    // Cox's published error codes ("AUP#CXBL"): the sending IP blocked for
    // spam-like behaviour (also temporarily), rDNS of the sending IP failing,
    // a problem with the sender's domain or its legitimacy, too many
    // concurrent connections, too many messages sent.
    (Reason::Blocked, &["aup#cxbl", "aup#cdrbl"]),
    (Reason::RequirePtr, &["aup#cxdns"]),
    (Reason::Rejected, &["aup#cxsndr", "aup#cxsmtp"]),
    (Reason::TooManyConn, &["aup#cxcnct"]),
    (Reason::Speeding, &["aup#cxmxrt"]),
    // Spectrum (Charter) rate-limit blocks of 5 minutes, 1 hour and 24 hours.
    (
        Reason::TooManyConn,
        &[
            "aup#1310",
            "aup#1320",
            "aup#1330",
            "aup#in-1310",
            "aup#in-1320",
            "aup#in-1330",
            "aup#i-1310",
            "aup#i-1320",
            "aup#i-1330",
        ],
    ),
    // Words that are another reason's only without their referent (what is
    // over a limit, whose quota it is). A quota or limit per hour or per day
    // is a sending rate of the sender (Gmail's published "Daily user sending
    // quota exceeded", cPanel/Exim "has exceeded the max emails per hour",
    // a relay's hourly quota of the sending IP), not a full mailbox, and
    // "too many recipients" per hour is a rate, not RFC 5321's per-message
    // recipient limit.
    (
        Reason::Speeding,
        &[
            "sending quota",
            "relay quota",
            "hourly quota",
            "daily quota",
            "quota per hour",
            "quota per day",
            "per hour",
            "per day",
            "hourly limit",
            "daily limit",
            "max emails per",
            "messages per hour",
        ],
    ),
    // Size words about the header or a line, not the message (Sendmail's
    // "552 5.6.0 Headers too large (N max)", RFC 5322 §2.1.1 and RFC 5321
    // §4.5.3.1.6 line length limits): the format, not the size.
    (
        Reason::ContentError,
        &[
            "headers too large",
            "header too large",
            "header is too large",
            "header too long",
            "header size exceeds",
            "too many headers",
            "header line too long",
            "line too long",
            "line length exceeded",
            "line length limit",
            "line is too long",
            "maximum line length",
        ],
    ),
    // Microsoft's recipient restrictions (RESOLVER.RST.*: a group or mailbox
    // that accepts mail only from some senders, "authentication required"
    // meaning an authenticated internal sender) are the recipient's policy,
    // not SPF/DKIM authentication.
    (
        Reason::PolicyViolation,
        &[
            "resolver.rst.authrequired",
            "resolver.rst.notauthorized",
            "not authorized to send to this recipient",
            "do not have permission to send to this recipient",
            "restricted to authorized senders",
        ],
    ),
    // Cloudflare Email Routing: the forwarding destination failed and its
    // reply is not given; nothing can be told about the address.
    (Reason::OnHold, &["upstream error, please check"]),
    // Postfix's placeholder when it has no report to give: no error text at all.
    (Reason::Undefined, &["delivery report unavailable"]),
    // X.400 non-delivery diagnostics as gateways write them (X.411
    // NonDeliveryDiagnosticCode, RFC 2156 MIXER: "Reason 1
    // (Unable-To-Transfer); Diagnostic 5 (Maximum-Time-Expired)"): the code's
    // own name decides; "Diagnostic -1 (Unknown)" is no diagnostic at all,
    // not an unknown user.
    (Reason::Undefined, &["diagnostic -1 (unknown)"]),
    (
        Reason::UserUnknown,
        &["(unrecognised-or-name)", "(unrecognized-or-name)"],
    ),
    (Reason::Expired, &["(maximum-time-expired)"]),
    (Reason::SystemError, &["(mts-congestion)"]),
    (Reason::NetworkError, &["(loop-detected)"]),
    (
        Reason::MesgTooBig,
        &["(content-too-long)", "(size-constraint-violation)"],
    ),
    // Texts that contain another reason's words but mean something else; they
    // must be consulted first.
    (
        Reason::MailerError,
        &[
            "command output",
            "command died",
            "procmail",
            "exit status",
            "pipe to |",
        ],
    ),
    (
        Reason::NetworkError,
        &[
            // A DNS lookup that failed, as opposed to a name that does not
            // exist: RFC 1035 RCODE 2 (SERVFAIL), a resolver timeout,
            // Postfix's "Name service error … Malformed or unexpected name
            // server reply" and "Host not found, try again" (a temporary
            // failure, h_errno TRY_AGAIN), glibc's EAI_AGAIN text.
            "servfail",
            "malformed or unexpected name server reply",
            "temporary failure in name resolution",
            "dns timeout",
            "dns lookup timed out",
            "lookup timed out",
            "dns server failure",
            "host not found, try again",
            "temporary lookup failure",
            // Sendmail's deferral when DNS does not answer; it names the cause
            // even in the final "could not be delivered for N days" report.
            "host name lookup failure",
        ],
    ),
    (
        Reason::UserUnknown,
        &[
            "not listed in domino directory",
            "not listed in public name & address book",
        ],
    ),
    (
        Reason::NotAccept,
        &[
            "null mx",
            "no mx found",
            "no mx record",
            "mx or srv record indicated no smtp service",
            "does not accept mail",
        ],
    ),
    (
        Reason::HostUnknown,
        &[
            "domain is not reachable",
            // cPanel's Exim when the recipient domain does not resolve: "The
            // account or domain may not exist, they may be blacklisted, or
            // missing the proper dns entries."
            "the account or domain may not exist",
        ],
    ),
    (
        Reason::UserUnknown,
        &["recipient address rejected: access denied"],
    ),
    (
        Reason::TooManyConn,
        &["connection rate limit", "too many recipients"],
    ),
    (
        Reason::Expired,
        &[
            "connection timed out",
            "timed out in connect",
            "host not reachable",
        ],
    ),
    (Reason::Blocked, &["dnsbl", "not accepting connections"]),
    (Reason::NoRelaying, &["not configured to relay"]),
    (
        Reason::RequirePtr,
        &["ptr resource record", "dns ptr", "ptr record"],
    ),
    (Reason::NotAccept, &["couldn't find a mail exchanger"]),
    (
        Reason::BadReputation,
        &[
            "deferred due to unexpected volume or user complaints",
            // Gmail's rate limit for spam "originating from your SPF domain":
            // a reputation finding, not an authentication failure.
            "unusual rate of unsolicited mail",
        ],
    ),
    // AOL's published codes: a dynamic or residential sending IP, and a
    // sending IP without reverse DNS.
    (Reason::Blocked, &["dyn:t1", "rtr:du"]),
    (Reason::RequirePtr, &["dns:nr", "ip reverse lookup"]),
    (
        Reason::PolicyViolation,
        &["content presents a potential", "header error"],
    ),
    (Reason::SystemError, &["service currently unavailable"]),
    (
        Reason::Expired,
        &["did not accept our requests to connect", "envelope expired"],
    ),
    (
        Reason::MesgTooBig,
        &["mail size limit exceeded", "message size limit exceeded"],
    ),
    (Reason::UserUnknown, &["invalid final delivery"]),
    (Reason::MailboxFull, &["mailbox exceeded the local limit"]),
    (Reason::Filtered, &["message filtered"]),
    (
        Reason::SpamDetected,
        &[
            "as spam",
            "considered spam",
            "spam message",
            "spam content",
            "likely spam",
        ],
    ),
    (
        Reason::Suspend,
        &[
            "recipient account is blocked",
            "compte du destinataire est bloque",
        ],
    ),
    (Reason::TooManyConn, &["frequency limited"]),
    (
        Reason::Blocked,
        &[
            "aup#cdrbl",
            "use the smtp server of your isp",
            "unfortunately, messages from",
        ],
    ),
    (Reason::Expired, &["could not deliver for the last"]),
    (Reason::NetworkError, &["establish an smtp connection"]),
    (
        Reason::Rejected,
        &[
            // A block list of addresses, not of sending hosts.
            "address that has been blacklisted",
            "purported responsible address",
            "sender was rejected",
            "send mail as",
        ],
    ),
    (Reason::Filtered, &["recipient preferences"]),
    (Reason::Suspend, &["disabled recipient"]),
    (
        Reason::SecurityError,
        &["delivery not authorized", "smtp authentication"],
    ),
    (
        Reason::Speeding,
        &[
            "rate limit exceeded",
            "receiving mail at a rate that",
            "sending rate",
            "too many messages in this connection",
            "throttled",
            "temporarily deferred due to unexpected volume",
            "exceeded the rate limit",
            "try again later, closing connection. (rate",
        ],
    ),
    (
        Reason::VirusDetected,
        &[
            "virus",
            "malware detected",
            "message contains a blocked attachment",
        ],
    ),
    (
        Reason::AuthFailure,
        &[
            "spf",
            "authentication checks failed",
            "spf check failed",
            "spf validation failed",
            "spf fail",
            "spf: fail",
            "sender policy framework",
            "dmarc",
            "unauthenticated email",
            "is not authenticated",
            "authentication required",
            "has an spf",
            "does not designate",
            "not permitted by domain",
            "sender is not authorized to send",
            "not authorized to send on behalf",
            "authentication failure",
            "sender address authentication",
            "not pass authentication checks",
            "email authentication",
        ],
    ),
    (
        Reason::RequirePtr,
        &[
            "reverse dns",
            "reverse dns lookup failed",
            "no ptr record",
            "cannot find your hostname",
            "cannot resolve your address",
            "unresolvable address",
            "hostname lookup failed",
            "does not have a reverse",
            "client host rejected: cannot find your reverse hostname",
            "cannot find your reverse hostname",
            "no matching ptr",
            "please set up a matching ptr",
            "not resolve to your ip",
            "ip name lookup failed",
            "reverse hostname",
        ],
    ),
    (
        Reason::BadReputation,
        &[
            "poor reputation",
            "bad reputation",
            "low reputation",
            "ip reputation",
            "sender reputation",
            "sending reputation",
            "domain reputation",
            "likely unsolicited mail",
            "temporarily rate limited due to ip reputation",
        ],
    ),
    (
        Reason::SpamDetected,
        &[
            "junk mail",
            "bulk email",
            "mass mailer",
            "mass mailing",
            "unsolicited",
            "bulk mail",
            "message content rejected",
            "content rejected",
            "identified as junk",
            "classified as junk",
            "rejected due to content",
            "scored too high",
            "high probability of",
            "detected as a phishing",
            "blacklisted url",
            "url in this message",
            "rejected by the content filter",
        ],
    ),
    (
        Reason::Blocked,
        &[
            "blocked using",
            "blocked by",
            "blacklist",
            "blocklist",
            "block list",
            "black list",
            "listed at",
            "listed in",
            "listed on",
            "is listed",
            "spamhaus",
            "spamcop",
            "barracudacentral",
            "client host rejected",
            "connection rate limit",
            "too many bad commands",
            "rejected due to policies",
            "service unavailable, client host",
            "not accepting mail from",
            "refused to talk to me",
            "access denied. ip",
            "your access to this mail system has been rejected",
            // "no access from mail server [192.0.2.1] which is an open relay"
            "is an open relay",
            // The HELO name does not match the connecting IP: the sending
            // host's identity is refused (Exim's, Postfix's HELO checks).
            "mismatches client ip",
            "does not match your ip",
            "helo name mismatch",
        ],
    ),
    (
        Reason::SecurityError,
        &[
            "tls required",
            "tls is required",
            "must issue a starttls",
            "encryption required",
            "security policy",
            "authentication credentials invalid",
            "x509",
        ],
    ),
    (
        Reason::NoRelaying,
        &[
            "relay access denied",
            "relaying denied",
            "relay denied",
            "relay not permitted",
            "relaying not allowed",
            "not permitted to relay",
            "we do not relay",
            "unable to relay",
            "relay not allowed",
            "not allowed to relay",
            "no relaying",
            "relaying mail to",
            "relay prohibited",
            "not a gateway",
            "will not relay",
            "mail server permanently rejected message (#5.3.0)",
        ],
    ),
    (
        Reason::Rejected,
        &[
            "sender rejected",
            "sender address rejected",
            // GoDaddy (IB506): "From: Domain is invalid. Please provide a valid From:"
            "please provide a valid from",
            "sender verify failed",
            "unverified sender",
            "sender address verification",
            "could not verify sender",
            "sender verification failed",
            "sender unknown",
            "envelope sender",
            "domain of sender",
            "bad sender",
            "invalid sender",
            "rejected by sender",
        ],
    ),
    (
        Reason::HasMoved,
        &[
            "has been moved",
            "mailbox has moved",
            "address has changed",
            "address has moved",
            "user has moved",
            // RFC 5321's 551: "User not local; please try <forward-path>".
            "user not local; please try",
        ],
    ),
    (
        Reason::MailboxFull,
        &[
            "mailbox full",
            "mailbox is full",
            "mailbox size limit exceeded",
            "mailbox quota",
            "over quota",
            "overquota",
            "over the quota",
            "quota exceeded",
            // Dovecot when the mailbox's file system (or its quota) is full.
            "not enough disk space",
            "exceeded storage allocation",
            "exceeds storage",
            "exceeded its storage",
            "storage quota",
            "insufficient disk space",
            "out of storage",
            "inbox is full",
            "mail box full",
            "account is full",
            "mailbox exceeds",
            "exceeded quota",
            "quota violation",
            "quota full",
            "mailfolder is full",
            "mailbox has exceeded",
            "user is over",
            "too much mail data",
            "disk quota",
            "mail quota",
            "not enough storage",
            "full mailbox",
            "mailbox is currently unavailable (full)",
            "the user's mailbox is full",
            "user's mailbox is full",
            // The same in the languages of localised servers and gateways.
            "postfach voll",
            "postfach ist voll",
            "boîte aux lettres pleine",
            "boite aux lettres pleine",
            "boîte pleine",
            "boite pleine",
            "buzón lleno",
            "buzon lleno",
            "casella piena",
            "casella di posta piena",
            "caixa postal cheia",
            "caixa de correio cheia",
            "mailbox vol",
        ],
    ),
    (
        Reason::Suspend,
        &[
            "account disabled",
            "account has been disabled",
            "account is disabled",
            "account is inactive",
            "inactive account",
            "account inactive",
            "mailbox disabled",
            "mailbox is disabled",
            "mailbox is inactive",
            "mailbox inactive",
            "mailbox has been disabled",
            "account suspended",
            "account has been suspended",
            "account is suspended",
            "temporarily disabled",
            "user is terminated",
            "is frozen",
            "has been frozen",
            "recipient suspend",
            "account expired",
            "account is locked",
            "mailbox suspended",
            "mailbox is suspended",
            "mailbox currently suspended",
            "mailbox has been suspended",
            "user suspended",
            "currently suspended",
            "account locked",
            "mailbox is locked",
            "this account has been deactivated",
            "no longer active",
            "currently disabled",
            "inactive user",
            "disabled mailbox",
        ],
    ),
    (
        Reason::HostUnknown,
        &[
            "host unknown",
            "host not found",
            "unknown host",
            "domain not found",
            "domain does not exist",
            "domain name not found",
            "no such domain",
            "host or domain name not found",
            "name or service not known",
            "unrouteable address",
            "unroutable address",
            "no mx",
            "domain is not configured",
            "recipient domain not found",
            "could not be resolved",
            "nxdomain",
            // A name that does not exist: RFC 1035 RCODE 3 (NXDOMAIN), a
            // domain with neither MX nor A (RFC 5321 §5.1: nothing to
            // deliver to).
            "non-existent domain",
            "nonexistent domain",
            "no mx and no a",
            "no mx or a record",
            "no a or mx record",
            "neither mx nor a",
            "has no mx and no a",
            // Exim: the domain's MX hosts do not resolve at all.
            "all relevant mx records point to non-existent hosts",
            "point to non-existent hosts",
            "unknown domain",
            "domain unknown",
            "domain doesn't exist",
            "domain part of the address",
            "domain must exist",
            "illegal host/domain",
            "invalid domain",
            "no such host",
            "dns error: domain name not found",
            "not our customer",
            "domain of the recipient",
            "address resolution failed",
            "hostname does not exist",
            "domain is not valid",
        ],
    ),
    (
        Reason::NotAccept,
        &[
            "null mx",
            "does not accept mail",
            "does not accept email",
            "accepts no mail",
            "not accepting mail",
            "doesn't accept mail",
        ],
    ),
    (
        Reason::UserUnknown,
        &[
            "user unknown",
            "unknown user",
            // The same in the languages of localised servers and gateways.
            "benutzer unbekannt",
            "unbekannter benutzer",
            "empfänger unbekannt",
            "unbekannter empfänger",
            "utilisateur inconnu",
            "destinataire inconnu",
            "usuario desconocido",
            "destinatario desconocido",
            "utente sconosciuto",
            "utente inesistente",
            "destinatario inesistente",
            "usuário desconhecido",
            "usuario desconhecido",
            "gebruiker onbekend",
            "onbekende gebruiker",
            "user not found",
            "no such user",
            "no such mailbox",
            "no such recipient",
            "no such address",
            "no such account",
            "no such person",
            "no such local user",
            "no such email",
            "no mailbox",
            "mailbox not found",
            "mailbox does not exist",
            "mailbox doesn't exist",
            "user does not exist",
            "user doesn't exist",
            "user not exist",
            "address does not exist",
            "address doesn't exist",
            "address not found",
            "address unknown",
            "addressee unknown",
            "account does not exist",
            "account doesn't exist",
            "account not found",
            "account that you tried to reach does not exist",
            "recipient not found",
            "recipient unknown",
            "recipient does not exist",
            "recipient invalid",
            "invalid recipient",
            "invalid address",
            "invalid mailbox",
            "invalid user",
            "unknown recipient",
            "unknown address",
            "unknown mailbox",
            "unknown local part",
            "unknown or illegal alias",
            "not a valid mailbox",
            "not a known user",
            "no valid recipients",
            "bad destination mailbox",
            "bad address",
            "bad recipient",
            "doesn't have a",
            "not our user",
            "no mailbox here by that name",
            "sorry, no mailbox",
            "user invalid",
            "mailbox name not allowed",
            "this user doesn't have",
            "account has been removed",
            "address no longer",
            "user not local",
            "not a valid user",
            "unknown or invalid",
            "unknown email",
            "undeliverable address",
            "recipient address unknown",
            "user not known",
            "recipient not known",
            // Exchange's NDR text for an address its directory lacks.
            "recipient name is not recognized",
        ],
    ),
    (
        Reason::MesgTooBig,
        &[
            "message too large",
            "message too big",
            "message size exceeds",
            "message is too large",
            "message is too big",
            "message size too large",
            "exceeds size limit",
            "exceeds the maximum size",
            "exceeded the maximum size",
            "size exceeds",
            "message length exceeds",
            "message size exceeded",
            "size exceeded",
            "maximum message size",
            "maximum incoming message size",
        ],
    ),
    (
        Reason::ExceedLimit,
        &[
            "exceeds the limit",
            "limit exceeded",
            "exceeded the limit",
            "message header size",
        ],
    ),
    (
        Reason::NotCompliantRfc,
        &[
            "rfc 5322",
            "rfc5322",
            "rfc 2822",
            "rfc2822",
            "not rfc",
            "multiple addresses in from",
            "duplicate header",
            "missing date",
            // Gmail: "Messages missing a valid Message-ID header are not accepted."
            "missing a valid message-id",
            "missing message-id",
            "is not compliant",
            "headers are not",
        ],
    ),
    (
        Reason::ContentError,
        &[
            "content error",
            "invalid header",
            "bad header",
            "improper use of 8-bit",
            "8-bit data",
            "illegal character",
            "mime error",
            "message contains invalid",
        ],
    ),
    (
        Reason::PolicyViolation,
        &[
            "policy violation",
            "violation of",
            "against our policy",
            "policy reasons",
            "local policy",
            "by policy",
            "due to policy",
            "policy rejection",
            "administrative prohibition",
        ],
    ),
    (
        Reason::SyntaxError,
        &[
            "syntax error",
            "command unrecognized",
            "command not recognized",
            "unrecognized command",
            "bad sequence of commands",
            "command not implemented",
            "invalid command",
            // The SMTP dialogue broke RFC 5321 (pipelining without the
            // extension, bare line feeds, early talkers).
            "protocol violation",
        ],
    ),
    (
        Reason::TooManyConn,
        &[
            "too many connections",
            "too many concurrent",
            "too many simultaneous",
            "connection limit",
            "too many sessions",
            "concurrent connections",
            "too many hosts",
        ],
    ),
    (
        Reason::SystemFull,
        &[
            "system full",
            "mail system full",
            "insufficient system storage",
            "server is full",
            "disk full",
            "out of disk space",
        ],
    ),
    (
        Reason::Expired,
        &[
            "delivery time expired",
            "retry time exceeded",
            "retry timeout exceeded",
            "has been in the queue too long",
            "message expired",
            "queue expired",
            "could not be delivered within",
            "timeout waiting for",
            "will continue to be made",
            "was not delivered within",
            "message timed out",
            "too many retries",
            "maximum time limit",
            "undeliverable for",
            "delivery expired",
            "has not been delivered",
            "not yet been delivered",
            "delivery has been delayed",
            "could not be delivered for",
            // Exim: "retry time not reached for any host after a long
            // failure period"; generic expiry texts.
            "retry time not reached for any host after a long failure period",
            "retry timeout exceeded",
            "delivery time expired",
            "maximum delivery time",
            "too many retries",
        ],
    ),
    (
        Reason::NetworkError,
        &[
            "connection timed out",
            "connection refused",
            "network is unreachable",
            "no route to host",
            "host is unreachable",
            "could not connect",
            "couldn't connect",
            "unable to connect",
            "lost connection",
            "connection reset",
            "connection closed",
            "connection dropped",
            "temporary dns",
            "dns lookup",
            "name server timeout",
            "host not reachable",
            "read timeout",
            "routing loop",
            "mail loop",
            "loops back to myself",
            "too many hops",
        ],
    ),
    (
        Reason::MailerError,
        &[
            "mailer error",
            "x-unix",
            "procmail",
            "command died",
            "command output",
            "exit status",
            "exited with",
            "pipe to",
            "permission denied",
            "unknown mailer",
        ],
    ),
    (
        Reason::SystemError,
        &[
            "system error",
            "server error",
            "internal error",
            "local error",
            "temporary failure",
            "temporary error",
            "temporarily unavailable",
            "service not available",
            "resources temporarily",
            "too many errors",
            "i/o error",
            "system problem",
            "requested action aborted",
        ],
    ),
    (
        Reason::Filtered,
        &[
            "refused by recipient",
            "rejected by recipient",
            "does not accept your mail",
            "recipient has refused",
            "not authorized to receive",
            "only accepts mail from",
            "rejected by the recipient",
            "is on the senders' block list",
            "header content",
        ],
    ),
];

/// Mailbox providers' published replies for an account that does not exist
/// (lower case). The provider's own directory speaks, so they are
/// `userunknown` whatever the stage or the status code they come with: Yahoo
/// gives its reply after DATA, Yandex under x.7, and a relaying MTA may not say
/// which command was answered. Other "user unknown" texts at those stages are
/// read as a filter's answer (`diagnose::adjust`). Only texts that name the
/// provider's own system belong here: Gmail's "The email account that you
/// tried to reach does not exist" is written by other servers too.
pub const PROVIDER_MAILBOX_REPLIES: &[&str] = &[
    // Yandex: "550 5.7.1 No such user!"
    "5.7.1 no such user!",
    // Yahoo (also for ymail.com, rocketmail.com): "554 delivery error: dd This
    // user doesn't have a yahoo.com account". The sentence alone, without
    // Yahoo's "dd" reply prefix, also comes from other systems' notices and
    // is not enough.
    "dd this user doesn't have a",
    // Microsoft 365 and Outlook.com: "550 5.1.10 RESOLVER.ADR.RecipientNotFound;
    // Recipient not found by SMTP address lookup"
    "resolver.adr.recipientnotfound",
    // mail.ru: "Local mailbox … is unavailable: user not found"
    "is unavailable: user not found",
];

/// Replies in which the writer names its own lookup of the recipient (lower
/// case): the server that holds the mailbox, or its front door checking its
/// own table, is speaking, not a relay repeating someone else's answer.
/// Postfix's smtpd names the table it looked in (`local_recipient_maps`,
/// `virtual_mailbox_maps`, `virtual_alias_maps`, `relay_recipient_maps`:
/// "User unknown in local recipient table"); Sendmail's local delivery agent
/// signs its answer ("mail.local: unknown user"); Domino names its directory.
pub const LOOKUP_REPLIES: &[&str] = &[
    "in local recipient table",
    "in virtual mailbox table",
    "in virtual alias table",
    "in relay recipient table",
    "mail.local: unknown user",
    "mail.local: user unknown",
    "not listed in domino directory",
    "not listed in public name & address book",
];

/// Generic words, consulted only when no phrase of [`PHRASES`] matched.
pub const WEAK_PHRASES: &[(Reason, &[&str])] = &[
    (Reason::SpamDetected, &["spam", "uce", "suspicious"]),
    (
        Reason::Blocked,
        &[
            "connection refused",
            "has been blocked",
            "is blocked",
            "are blocked",
            "been blocked",
            "blocked for",
            "blocked -",
            "blocked because",
            "banned",
            "not allowed to send",
            "sender ip",
            "sending ip",
            "mail from your ip",
            "connections from your",
            "dynamic ip",
            "dial-up",
            "dialup",
            "residential",
            "jamming",
            "hostname lookup",
            "access denied",
            "blocked",
            "rbl",
            "client host",
            "ip address",
            "your ip",
            "your host",
            "sorbs",
            "denied by",
        ],
    ),
    (Reason::VirusDetected, &["infected"]),
    (
        Reason::RequirePtr,
        &["rdns", "ptr record", "reverse lookup", "no reverse"],
    ),
    (Reason::AuthFailure, &["dkim", "spf record"]),
    (
        Reason::SecurityError,
        &["certificate", "starttls", "insecure"],
    ),
    (Reason::MesgTooBig, &["too large", "too big"]),
    (
        Reason::HostUnknown,
        &["recipient domain", "dns error", "mail for this domain"],
    ),
    (
        Reason::UserUnknown,
        &[
            "unknown",
            "not exist",
            "does not exist",
            "no user",
            "no account",
            "is not a valid",
            "recipient is not",
            "not listed in",
            "address rejected",
            "recipient rejected",
            "no longer available",
            "malformed address",
        ],
    ),
    (Reason::MailboxFull, &["quota", "size limit"]),
    (
        Reason::Suspend,
        &["suspended", "deactivated", "is not active"],
    ),
    (
        Reason::Rejected,
        &[
            "mail from",
            "sender is",
            "your address",
            "sender address",
            "sender domain",
            "from address",
            "sender not",
            "return path",
            "return-path",
        ],
    ),
    (
        Reason::NotCompliantRfc,
        &["must have a", "rfc822", "rfc 822"],
    ),
    (
        Reason::PolicyViolation,
        &[
            "policy",
            "prohibited",
            "not allowed",
            "restricted",
            "violates",
        ],
    ),
    (Reason::Filtered, &["filtered", "filter"]),
    (
        Reason::Expired,
        &[
            "will be retried",
            "delivery attempts will continue",
            "in the queue",
            "giving up",
            "gave up",
            "failed after",
        ],
    ),
    (Reason::NetworkError, &["timeout", "timed out", "no answer"]),
    (
        Reason::SystemError,
        &[
            "unable to deliver",
            "try again later",
            "service unavailable",
        ],
    ),
];

/// RFC 5321 §4.2.2's default texts for 550 and 450 ("Requested action not
/// taken: mailbox unavailable"), which servers give for any refusal, policy
/// included. Weaker than the status code (RFC 3463 x.2.1 "mailbox disabled"
/// makes it `suspend`, x.1.1 `userunknown`); consulted after it.
pub const DEFAULT_REPLY_TEXTS: &[(Reason, &[&str])] = &[(
    Reason::UserUnknown,
    &[
        "mailbox unavailable",
        "mailbox not available",
        "mailbox is not available",
    ],
)];
