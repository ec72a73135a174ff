//! Shows how the decoder sees one message: the parts it found, the phrases
//! that decided each reason, and the findings.
//! `cargo run --example inspect -- FILE...`

use listhygiene::bounce::{self, diagnose, message};

fn main() {
    for path in std::env::args().skip(1) {
        let Ok(bytes) = std::fs::read(&path) else {
            eprintln!("{path}: cannot read");
            continue;
        };
        let mail = match message::parse(&bytes) {
            Ok(mail) => mail,
            Err(e) => {
                println!("== {path}: {e}");
                continue;
            }
        };
        println!(
            "== {path}\nmime: {} report: {:?}",
            mail.mime_type, mail.report_type
        );
        println!("--- text ---\n{}", mail.text);
        println!("--- delivery-status ---\n{:?}", mail.delivery_status);
        println!("--- original ---\n{:?}", mail.original);
        let analysis = bounce::analyze_mail(&mail);
        for f in &analysis.findings {
            let text = f.diagnostic.as_deref().unwrap_or("");
            let (strong, weak) = diagnose::explain(text);
            println!(
                "--- phrases for {} ---\nstrong {strong:?}\nweak {weak:?}",
                f.recipient
            );
        }
        println!("--- analysis ---\n{analysis:#?}");
    }
}
