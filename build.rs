//! Generates the low-level client from `openapi.json` into `OUT_DIR`.
//!
//! Reruns only when `openapi.json` (or this file, or the generator crate)
//! changes, so editing hand-written code never regenerates.

use std::{env, fs, path::PathBuf, process};

fn main() {
    println!("cargo:rerun-if-changed=openapi.json");
    println!("cargo:rerun-if-changed=build.rs");

    let spec = fs::read_to_string("openapi.json").unwrap_or_else(|e| {
        eprintln!("error: cannot read openapi.json: {e}; run `cargo xtask regen`");
        process::exit(1);
    });
    let generated = token_bowl_chat_codegen::generate(&spec).unwrap_or_else(|e| {
        eprintln!("error: {e}");
        process::exit(1);
    });
    let out_dir = PathBuf::from(env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    for (name, code) in [
        ("client.rs", &generated.client),
        ("mock.rs", &generated.mock),
        ("operations.rs", &generated.operations),
    ] {
        let path = out_dir.join(name);
        if let Err(e) = fs::write(&path, code) {
            eprintln!("error: cannot write {}: {e}", path.display());
            process::exit(1);
        }
    }
}
