//! Prints the default theme's syntax stylesheet:
//! `cargo run --example syntax_css > themes/default/static/syntax.css`.

fn main() {
    print!("{}", hindsight::render::highlight::theme_css());
}
