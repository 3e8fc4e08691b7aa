//! The browser bundle's dependency graph never contains server-only crates.

const SERVER_ONLY: &[&str] = &[
    "sqlx",
    "argon2",
    "tokio",
    "aws-sdk-ssmcontacts",
    "aws-sdk-ssmincidents",
    "aws-config",
    "tower-sessions",
    "axum",
    "leptos_axum",
    "cel",
    "antlr4rust",
];

#[test]
fn server_only_crates_stay_out_of_the_wasm_build() {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = std::process::Command::new(cargo)
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
        .args([
            "tree",
            "-p",
            "app",
            "--target",
            "wasm32-unknown-unknown",
            "--no-default-features",
            "--features",
            "hydrate",
            "-e",
            "normal",
            "--prefix",
            "none",
            "--format",
            "{p}",
        ])
        .output()
        .expect("cargo tree runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let tree = String::from_utf8_lossy(&out.stdout);
    let crates: Vec<&str> = tree.lines().filter_map(|l| l.split_whitespace().next()).collect();
    assert!(crates.contains(&"leptos") && crates.contains(&"wasm-bindgen"), "unexpected tree: {tree}");
    for banned in SERVER_ONLY {
        assert!(!crates.contains(banned), "{banned} is in the wasm dependency graph");
    }
}
