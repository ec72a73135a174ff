//! Automatic replies (RFC 3834 and vendor forms): out-of-office and vacation
//! notices. Evidence that the address is alive. Tried only after the bounce
//! decoders, because most bounces also carry `Auto-Submitted: auto-replied`.

use super::address;
use super::message::Mail;
use super::{RawFinding, Reason};

/// Subject openings of automatic replies, in the languages our users meet.
const SUBJECT_MARKERS: &[&str] = &[
    "out of office",
    "out of the office",
    "automatic reply",
    "auto reply",
    "auto-reply",
    "autoreply",
    "auto response",
    "auto-response",
    "autoresponse",
    "automatische antwort",
    "abwesenheitsnotiz",
    "abwesenheit",
    "réponse automatique",
    "reponse automatique",
    "absence",
    "respuesta automática",
    "respuesta automatica",
    "fuera de la oficina",
    "risposta automatica",
    "fuori sede",
    "afwezig",
    "automatisch antwoord",
    "on vacation",
    "vacation",
    "away from",
    "away until",
    "i am away",
    "i'm away",
    "auto:",
    "autosvar",
    "resposta automática",
    "resposta automatica",
    "fora do escritório",
    "odpowiedź automatyczna",
    "automatická odpověď",
    "automaattinen vastaus",
    "frånvaro",
    "fravær",
    "otomatik yanıt",
    "不在",
    "自動応答",
];

/// The auto-reply finding, if this message is one. The recipient is the
/// address that replied.
pub fn extract(mail: &Mail) -> Option<RawFinding> {
    if !is_auto_reply(mail) {
        return None;
    }
    let recipient = ["from", "reply-to", "sender", "return-path"]
        .iter()
        .filter_map(|h| mail.header(h))
        .filter_map(address::first)
        .find(|a| !address::is_system_address(a))?;
    Some(RawFinding {
        recipient,
        diagnostic: mail.subject().to_string(),
        date: mail.header("date").map(str::to_string),
        hint: Some(Reason::Vacation),
        ..RawFinding::default()
    })
}

fn is_auto_reply(mail: &Mail) -> bool {
    let header_says = |name: &str| mail.header(name).is_some();
    if header_says("x-autoreply")
        || header_says("x-autorespond")
        || header_says("x-autoresponder")
        || header_says("x-mail-autoreply")
        || mail
            .header("precedence")
            .is_some_and(|p| p.trim().eq_ignore_ascii_case("auto_reply"))
        || mail
            .header("x-auto-response-suppress")
            .is_some_and(|_| subject_says(mail))
    {
        return true;
    }
    let auto_submitted = mail
        .header("auto-submitted")
        .map(|v| v.trim().to_ascii_lowercase())
        .filter(|v| v != "no");
    match auto_submitted {
        // RFC 3834: "auto-replied" is exactly a reply to a message.
        Some(v) if v.starts_with("auto-replied") => true,
        _ => subject_says(mail),
    }
}

fn subject_says(mail: &Mail) -> bool {
    let subject = mail.subject().trim().to_lowercase();
    SUBJECT_MARKERS.iter().any(|m| {
        subject.starts_with(m)
            || subject.contains(&format!(": {m}"))
            || (m.len() > 8 && subject.contains(m))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_subject(subject: &str) -> Mail {
        Mail {
            headers: vec![
                ("from".into(), "Ana <ana@example.org>".into()),
                ("subject".into(), subject.into()),
            ],
            ..Mail::default()
        }
    }

    #[test]
    fn automatic_replies_are_known_by_their_subject_in_many_languages() {
        for subject in [
            "Automatic reply: Weekly #35",
            "Réponse automatique : Weekly #35",
            "Resposta automática: Weekly #35",
            "Odpowiedź automatyczna: Weekly #35",
            "Automatická odpověď: Weekly #35",
            "Automaattinen vastaus: Weekly #35",
            "Otomatik yanıt: Weekly #35",
            "Autosvar: Weekly #35",
        ] {
            assert!(is_auto_reply(&with_subject(subject)), "{subject}");
        }
        assert!(!is_auto_reply(&with_subject("Re: Weekly #35")));
        assert!(!is_auto_reply(&with_subject("Your order has shipped")));
    }
}
