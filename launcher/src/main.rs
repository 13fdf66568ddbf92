//! Placeholder until the launcher lands (issue 2): exits non-zero with a clear line.
fn main() {
    eprintln!("blvm-miningos launcher: not built yet");
    std::process::exit(2);
}
