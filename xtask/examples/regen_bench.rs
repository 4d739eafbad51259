//! Where `regen`'s time goes on one document: normalising (convert,
//! normalise, repair), generating (progenitor and the rewrite passes) and
//! formatting (prettyplease, inside generating: timed apart here by
//! regenerating the formatted code's tokens). A bench, not a test:
//! `cargo run -p xtask --example regen_bench -- FILE...`.

use std::time::Instant;

fn main() {
    for path in std::env::args().skip(1) {
        let text = std::fs::read_to_string(&path).expect("the document reads");
        for round in ["cold", "warm"] {
            let started = Instant::now();
            let (doc, _) = xtask::process(&text, &path).expect("it normalises");
            let normalised = started.elapsed();
            let started = Instant::now();
            let r = xtask::regenerate(&text, &path, None).expect("it regenerates");
            let whole = started.elapsed();
            let started = Instant::now();
            let file: syn::File = syn::parse_str(&r.generated.client).expect("it parses");
            let _ = prettyplease::unparse(&file);
            let formatting = started.elapsed();
            println!(
                "{path} ({round}): normalise {normalised:.2?}, regenerate (normalise + generate + format) {whole:.2?}, format the client again {formatting:.2?}, {} KB of client",
                r.generated.client.len() / 1024
            );
            drop(doc);
        }
    }
}
