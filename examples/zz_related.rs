use hindsight::*;
use std::time::Instant;
fn main() {
    let root = std::path::PathBuf::from(std::env::args().nth(1).unwrap());
    let config = config::Config::load(&root).unwrap();
    let loaded = load::load(&root.join("content"), &root.join("content"));
    let r = resolve::resolve_owned(loaded.files, &config);
    let archive = index::Archive::new(r.incidents, &config);
    let n = archive.incidents.len();
    for _ in 0..3 {
        let t = Instant::now();
        let sim = index::related::Similarity::new(&archive);
        let t1 = t.elapsed();
        let mut marks = index::related::Marks::default();
        let mut k = 0;
        for i in 0..n {
            k += sim.related_with(i, &mut marks).len();
        }
        println!(
            "{n}: new {:?} related {:?} ({:.1} us each) {k}",
            t1,
            t.elapsed() - t1,
            (t.elapsed() - t1).as_secs_f64() * 1e6 / n as f64
        );
    }
}
