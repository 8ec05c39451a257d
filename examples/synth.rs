//! Writes a synthetic archive for benchmarks:
//! `cargo run --release --example synth -- COUNT DIR [SEED]`.

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (Some(count), Some(dir)) = (args.get(1).and_then(|c| c.parse().ok()), args.get(2)) else {
        eprintln!("usage: synth COUNT DIR [SEED]");
        std::process::exit(2);
    };
    let seed = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(1);
    if let Err(e) = hindsight::synth::write_archive(std::path::Path::new(dir), count, seed) {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
    eprintln!("wrote {count} postmortems to {dir}");
}
