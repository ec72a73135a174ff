//! Shows how the decoder sees one message: the parts it found and its findings.
//! `cargo run --example inspect -- FILE`

fn main() {
    for path in std::env::args().skip(1) {
        let Ok(bytes) = std::fs::read(&path) else {
            eprintln!("{path}: cannot read");
            continue;
        };
        match listhygiene::bounce::message::parse(&bytes) {
            Ok(mail) => {
                println!(
                    "== {path}\nmime: {} report: {:?}",
                    mail.mime_type, mail.report_type
                );
                println!("--- text ---\n{}", mail.text);
                println!("--- delivery-status ---\n{:?}", mail.delivery_status);
                println!("--- original ---\n{:?}", mail.original);
                println!(
                    "--- analysis ---\n{:#?}",
                    listhygiene::bounce::analyze_mail(&mail)
                );
            }
            Err(e) => println!("== {path}: {e}"),
        }
    }
}
