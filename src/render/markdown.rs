//! Markdown bodies to HTML: CommonMark plus tables, footnotes,
//! strikethrough and task lists; heading anchors; highlighted code; links
//! between postmortems; asset references; raw HTML per the site policy.
//!
//! Output is safe by construction when the body has no raw HTML
//! (pulldown-cmark escapes text and attributes, and link schemes are
//! filtered here); bodies with raw HTML go through ammonia unless the
//! archive opted out.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex};

use pulldown_cmark::{CodeBlockKind, CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

use super::highlight::{Highlighter, escape_attr, escape_html};
use crate::config::RawHtml;

/// A problem found while rendering, at a 1-based line of the body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BodyProblem {
    /// 1-based line within the body.
    pub line: u32,
    /// What kind of problem.
    pub kind: ProblemKind,
    /// What is wrong.
    pub message: String,
}

/// Kinds of body problems, each its own diagnostic code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProblemKind {
    /// An image or file that does not exist (`missing-asset`, warning).
    MissingAsset,
    /// A link to a postmortem that does not exist (`broken-link`, error).
    BrokenLink,
    /// A link to a postmortem that is not published in this build (a
    /// draft, or withheld by a profile): shown as text (warning).
    UnpublishedLink,
}

/// A `#fragment` a body links to, checked once every page has rendered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnchorRef {
    /// The target postmortem's source path; `None` for the same page.
    pub target: Option<PathBuf>,
    /// The fragment, without `#`.
    pub fragment: String,
    /// 1-based line within the body.
    pub line: u32,
}

/// What rewriting links found: assets to copy, problems, anchors.
#[derive(Debug, Default)]
struct Found {
    assets: BTreeSet<PathBuf>,
    problems: Vec<BodyProblem>,
    anchors: Vec<AnchorRef>,
}

/// What to do with a link or image URL.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Rewrite {
    /// Keep it as written.
    Keep,
    /// Write this URL instead.
    Replace(String),
    /// Drop the link, keep its text (a postmortem not published).
    Unlink,
}

/// A rendered body.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RenderedBody {
    /// The HTML.
    pub html: String,
    /// Asset files referenced, relative to the content folder; the build
    /// copies each to `assets/<path>`.
    pub assets: Vec<PathBuf>,
    /// Links and images that point to nothing in the archive.
    pub problems: Vec<BodyProblem>,
    /// Headings: level, anchor id and text, in order.
    pub headings: Vec<(u8, String, String)>,
    /// `#fragments` linked to, to check against the target's headings.
    pub anchors: Vec<AnchorRef>,
}

/// What links in a body may point to. Cheap to clone (shared maps).
#[derive(Debug, Clone)]
pub struct LinkTargets {
    /// The body's file, relative to the content folder.
    pub source: PathBuf,
    /// Incident id by source path (relative to the content folder).
    pub pages: Arc<HashMap<PathBuf, String>>,
    /// Non-Markdown files under the content folder.
    pub assets: Arc<BTreeSet<PathBuf>>,
    /// Postmortems in the archive that this build does not publish.
    pub unpublished: Arc<HashSet<PathBuf>>,
    /// Config `remote_images`: embed images from other hosts. When false,
    /// a remote Markdown image becomes a link to it and a remote `src` in
    /// raw HTML is dropped, so a page loads nothing from elsewhere.
    pub remote_images: bool,
}

/// State carried across events while rewriting links and images.
#[derive(Debug, Default)]
struct LinkState {
    /// Inside a link to an unpublished postmortem (its tags are dropped).
    unlinking: bool,
    /// For each open image: `Some(host)` when it was turned into a link.
    images: Vec<Option<String>>,
}

/// Whether `url` points to another host (`http:`, `https:` or `//host`).
fn is_remote(url: &str) -> bool {
    let url = url.trim();
    url.starts_with("//")
        || scheme_of(url)
            .is_some_and(|s| s.eq_ignore_ascii_case("http") || s.eq_ignore_ascii_case("https"))
}

/// The host part of a remote URL, for the link text of an image not
/// embedded.
fn host_of(url: &str) -> &str {
    let rest = url.trim().split_once("//").map_or(url, |(_, rest)| rest);
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let host = &rest[..end];
    host.rsplit_once('@').map_or(host, |(_, h)| h)
}

/// Link schemes kept in links and images; anything else (`javascript:`,
/// `data:`, `vbscript:`...) becomes `#`.
const SAFE_SCHEMES: &[&str] = &["http", "https", "mailto", "tel", "ftp"];

/// Renders `body` for an incident page at `incidents/<id>/index.html`.
///
/// `title` drops a leading H1 equal to it (the page shows the title).
pub fn render(
    body: &str,
    title: &str,
    links: &LinkTargets,
    highlighter: &Highlighter,
    raw_html: RawHtml,
) -> RenderedBody {
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES;
    let mut out = RenderedBody::default();
    let line_starts: Vec<usize> = std::iter::once(0)
        .chain(memchr::memchr_iter(b'\n', body.as_bytes()).map(|i| i + 1))
        .collect();
    let line_of = |offset: usize| line_starts.partition_point(|&start| start <= offset) as u32;

    let mut events: Vec<Event<'_>> = Vec::new();
    let mut used_ids: HashSet<String> = HashSet::new();
    let mut first_block = true;
    let mut iter = Parser::new_ext(body, options).into_offset_iter().peekable();
    // Raw HTML goes through `raw_policy` as it is read; events this module
    // writes as HTML (anchors, remote-image links) do not.
    let mut inline = Inline {
        raw_html,
        links,
        has_raw_html: false,
        found: Found::default(),
        state: LinkState::default(),
    };

    while let Some((event, range)) = iter.next() {
        let at_start = std::mem::replace(&mut first_block, false);
        match event {
            Event::Start(Tag::Heading { level, id, .. }) => {
                let mut inner = Vec::new();
                for (event, range) in iter.by_ref() {
                    if matches!(event, Event::End(TagEnd::Heading(_))) {
                        break;
                    }
                    inner.extend(inline.event(event, line_of(range.start)));
                }
                let text = plain_text(&inner);
                if at_start && level == HeadingLevel::H1 && text.trim() == title.trim() {
                    continue;
                }
                let anchor = unique_id(
                    id.as_deref().map_or_else(|| heading_id(&text), heading_id),
                    &mut used_ids,
                );
                let mut inner_html = String::new();
                pulldown_cmark::html::push_html(&mut inner_html, inner.into_iter());
                let n = level as u8;
                out.headings.push((n, anchor.clone(), text));
                // Joined rather than `format!`ed (a tenth of the
                // instructions); `HeadingLevel` is 1 to 6.
                let level = ["0", "1", "2", "3", "4", "5", "6"][usize::from(n)];
                let id = escape_attr(&anchor);
                let heading = [
                    "<h",
                    level,
                    " id=\"",
                    &id,
                    "\">",
                    &inner_html,
                    "<a class=\"anchor\" href=\"#",
                    &id,
                    "\" aria-label=\"Link to this section\">#</a></h",
                    level,
                    ">\n",
                ]
                .concat();
                events.push(Event::Html(CowStr::from(heading)));
            }
            Event::Start(Tag::CodeBlock(kind)) => {
                let language = match &kind {
                    CodeBlockKind::Fenced(info) => info
                        .split(|c: char| c.is_whitespace() || c == ',' || c == '{')
                        .next()
                        .unwrap_or("")
                        .to_string(),
                    CodeBlockKind::Indented => String::new(),
                };
                let mut code = String::new();
                for (event, _) in iter.by_ref() {
                    match event {
                        Event::Text(text) => code.push_str(&text),
                        Event::End(TagEnd::CodeBlock) => break,
                        _ => {}
                    }
                }
                events.push(Event::Html(CowStr::from(
                    highlighter.to_html(&language, &code),
                )));
            }
            // A first paragraph that is only the title (often in bold) is
            // not repeated: the page shows the title.
            Event::Start(Tag::Paragraph) if at_start => {
                let mut inner = Vec::new();
                for (event, range) in iter.by_ref() {
                    if matches!(event, Event::End(TagEnd::Paragraph)) {
                        break;
                    }
                    inner.push((event, range));
                }
                let only: Vec<Event<'_>> = inner.iter().map(|(e, _)| e.clone()).collect();
                let plain_only = only.iter().all(|e| {
                    matches!(
                        e,
                        Event::Text(_)
                            | Event::Start(Tag::Strong | Tag::Emphasis)
                            | Event::End(TagEnd::Strong | TagEnd::Emphasis)
                    )
                });
                if plain_only && plain_text(&only).trim().trim_end_matches(':') == title.trim() {
                    continue;
                }
                events.push(Event::Start(Tag::Paragraph));
                for (event, range) in inner {
                    events.extend(inline.event(event, line_of(range.start)));
                }
                events.push(Event::End(TagEnd::Paragraph));
            }
            other => events.extend(inline.event(other, line_of(range.start))),
        }
    }

    let mut html = String::with_capacity(body.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, events.into_iter());
    let mut found = inline.found;
    if inline.has_raw_html && raw_html == RawHtml::Sanitize {
        html = sanitize(&html, body, links, &mut found);
    }
    out.html = html;
    out.assets = found.assets.into_iter().collect();
    out.problems = found.problems;
    out.anchors = found.anchors;
    out
}

fn raw_policy(event: Event<'_>, policy: RawHtml) -> Event<'_> {
    match (event, policy) {
        (Event::Html(html), RawHtml::Escape) => Event::Text(html),
        (Event::InlineHtml(html), RawHtml::Escape) => Event::Text(html),
        (event, _) => event,
    }
}

/// Sanitises a body with raw HTML: ammonia's safe defaults, plus the
/// classes and ids our own renderer emits, task-list checkboxes, and only
/// `text-align` in style attributes (table alignment). `src` and `href` in
/// raw HTML are resolved like Markdown links (assets copied, missing files
/// reported at the line that names them).
fn sanitize(html: &str, body: &str, links: &LinkTargets, found: &mut Found) -> String {
    let shared: Arc<Mutex<Found>> = Arc::default();
    let (sink, targets, body_text) = (shared.clone(), links.clone(), body.to_string());
    let mut builder = ammonia::Builder::default();
    builder
        .add_generic_attributes(["id", "class", "aria-label", "aria-hidden", "data-lang"])
        .add_tags(["input", "details", "summary", "figure", "figcaption"])
        .add_tag_attributes("input", ["type", "checked", "disabled"])
        .add_tag_attributes("th", ["style"])
        .add_tag_attributes("td", ["style"])
        .filter_style_properties(["text-align"].into())
        .url_schemes(SAFE_SCHEMES.iter().copied().collect())
        .attribute_filter(move |_element, attribute, value| {
            if attribute == "src" && !targets.remote_images && is_remote(value) {
                // Not embedded: the page loads nothing from elsewhere.
                return None;
            }
            if !matches!(attribute, "src" | "href") || is_rewritten(value) {
                return Some(value.into());
            }
            let line = body_text
                .find(value)
                .map_or(1, |i| body_text[..i].matches('\n').count() as u32 + 1);
            let Ok(mut found) = sink.lock() else {
                return Some(value.into());
            };
            match rewrite_url(value, attribute == "src", line, &targets, &mut found) {
                Rewrite::Replace(url) => Some(url.into()),
                // Raw HTML cannot lose its tag here: point it nowhere.
                Rewrite::Unlink => Some("#".into()),
                Rewrite::Keep => Some(value.into()),
            }
        });
    let clean = builder.clean(html).to_string();
    drop(builder);
    if let Ok(mut extra) = shared.lock() {
        found.assets.append(&mut extra.assets);
        // A Markdown link kept as written passes the sanitiser too: report
        // each problem once.
        for problem in extra.problems.drain(..) {
            if !found.problems.iter().any(|p| p.message == problem.message) {
                found.problems.push(problem);
            }
        }
        for anchor in extra.anchors.drain(..) {
            if !found.anchors.contains(&anchor) {
                found.anchors.push(anchor);
            }
        }
        found.problems.sort_by_key(|p| p.line);
    }
    clean
}

/// Whether a URL is one this module already produced (a page or asset
/// link), so the sanitiser does not resolve it a second time.
fn is_rewritten(url: &str) -> bool {
    url.starts_with("../../assets/") || (url.starts_with("../") && url.contains("/index.html"))
}

/// What rendering carries from one event inside a block to the next.
struct Inline<'l> {
    raw_html: RawHtml,
    links: &'l LinkTargets,
    /// Whether the body has raw HTML (and so goes through the sanitiser).
    has_raw_html: bool,
    found: Found,
    /// Links to unpublished postmortems lose their tag, keep their text.
    state: LinkState,
}

impl Inline<'_> {
    /// One event inside a block: raw HTML goes through the raw-HTML policy
    /// (and marks the body for sanitising), links and images through
    /// [`rewrite_event`].
    fn event<'a>(&mut self, event: Event<'a>, line: u32) -> Option<Event<'a>> {
        if matches!(event, Event::Html(_) | Event::InlineHtml(_)) {
            self.has_raw_html = true;
            return Some(raw_policy(event, self.raw_html));
        }
        rewrite_event(event, line, self.links, &mut self.found, &mut self.state)
    }
}

/// Rewrites link and image targets; `None` drops the event (the tags of
/// a link to an unpublished postmortem).
fn rewrite_event<'a>(
    event: Event<'a>,
    line: u32,
    links: &LinkTargets,
    found: &mut Found,
    state: &mut LinkState,
) -> Option<Event<'a>> {
    match event {
        Event::Start(Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        }) => match rewrite_url(&dest_url, false, line, links, found) {
            Rewrite::Unlink => {
                state.unlinking = true;
                None
            }
            rewrite => {
                let dest_url = match rewrite {
                    Rewrite::Replace(url) => CowStr::from(url),
                    _ => dest_url,
                };
                Some(Event::Start(Tag::Link {
                    link_type,
                    dest_url,
                    title,
                    id,
                }))
            }
        },
        Event::End(TagEnd::Link) if state.unlinking => {
            state.unlinking = false;
            None
        }
        Event::Start(Tag::Image { dest_url, .. })
            if !links.remote_images && is_remote(&dest_url) =>
        {
            state.images.push(Some(host_of(&dest_url).to_string()));
            Some(Event::Html(CowStr::from(format!(
                "<a class=\"remote-image\" href=\"{}\" rel=\"noopener noreferrer\">",
                escape_attr(dest_url.trim())
            ))))
        }
        Event::End(TagEnd::Image) => match state.images.pop() {
            Some(Some(host)) => Some(Event::Html(CowStr::from(format!(
                " <small>(image on {})</small></a>",
                escape_html(&host)
            )))),
            _ => Some(Event::End(TagEnd::Image)),
        },
        Event::Start(Tag::Image {
            link_type,
            dest_url,
            title,
            id,
        }) => {
            state.images.push(None);
            let dest_url = match rewrite_url(&dest_url, true, line, links, found) {
                Rewrite::Replace(url) => CowStr::from(url),
                Rewrite::Unlink | Rewrite::Keep => dest_url,
            };
            Some(Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            }))
        }
        other => Some(other),
    }
}

/// What to write for a link or image URL, recording assets to copy,
/// anchors to check and problems.
fn rewrite_url(
    url: &str,
    image: bool,
    line: u32,
    links: &LinkTargets,
    found: &mut Found,
) -> Rewrite {
    let trimmed = url.trim();
    if let Some(scheme) = scheme_of(trimmed) {
        return if SAFE_SCHEMES.contains(&scheme.to_ascii_lowercase().as_str()) {
            Rewrite::Keep
        } else {
            Rewrite::Replace("#".to_string())
        };
    }
    if let Some(fragment) = trimmed.strip_prefix('#') {
        if !fragment.is_empty() && !image {
            found.anchors.push(AnchorRef {
                target: None,
                fragment: fragment.to_string(),
                line,
            });
        }
        return Rewrite::Keep;
    }
    if trimmed.is_empty() || trimmed.starts_with("//") {
        return Rewrite::Keep;
    }
    let (path_part, suffix) = match trimmed.find(['#', '?']) {
        Some(i) => (&trimmed[..i], &trimmed[i..]),
        None => (trimmed, ""),
    };
    let decoded = percent_decode(path_part);
    let base = if decoded.starts_with('/') {
        PathBuf::new()
    } else {
        links
            .source
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default()
    };
    let what = if image { "image" } else { "link" };
    let Some(target) = normalise(&base.join(decoded.trim_start_matches('/'))) else {
        found.problems.push(BodyProblem {
            line,
            kind: ProblemKind::MissingAsset,
            message: format!("{what} {url:?} points outside the archive"),
        });
        return Rewrite::Keep;
    };
    if let Some(id) = links.pages.get(&target) {
        if let Some(fragment) = suffix.strip_prefix('#').filter(|f| !f.is_empty()) {
            found.anchors.push(AnchorRef {
                target: Some(target.clone()),
                fragment: fragment.to_string(),
                line,
            });
        }
        return Rewrite::Replace(format!("../{id}/index.html{suffix}"));
    }
    if links.unpublished.contains(&target) {
        found.problems.push(BodyProblem {
            line,
            kind: ProblemKind::UnpublishedLink,
            message: format!(
                "{what} {url:?} names a postmortem this build does not publish; shown as text"
            ),
        });
        return if image {
            Rewrite::Keep
        } else {
            Rewrite::Unlink
        };
    }
    if links.assets.contains(&target) {
        let encoded = percent_encode_path(&target.to_string_lossy());
        found.assets.insert(target);
        return Rewrite::Replace(format!("../../assets/{encoded}{suffix}"));
    }
    let is_markdown = crate::load::is_markdown(&target.to_string_lossy());
    found.problems.push(BodyProblem {
        line,
        kind: if is_markdown {
            ProblemKind::BrokenLink
        } else {
            ProblemKind::MissingAsset
        },
        message: if is_markdown {
            format!("{what} {url:?} names a postmortem that is not in the archive")
        } else {
            format!("{what} {url:?} names no file in the archive")
        },
    });
    Rewrite::Keep
}

/// The scheme of an absolute URL (`https` of `https://x`), if any.
fn scheme_of(url: &str) -> Option<&str> {
    let colon = url.find(':')?;
    let scheme = &url[..colon];
    let first_special = url.find(['/', '?', '#']).unwrap_or(url.len());
    (colon < first_special
        && !scheme.is_empty()
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')))
    .then_some(scheme)
}

/// Resolves `.` and `..` lexically; `None` if the path climbs above its
/// root.
fn normalise(path: &Path) -> Option<PathBuf> {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::Normal(part) => out.push(part),
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    return None;
                }
            }
            Component::RootDir | Component::Prefix(_) => return None,
        }
    }
    Some(out)
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && bytes[i + 1..i + 3].iter().all(u8::is_ascii_hexdigit)
        {
            let hex = |b: u8| (b as char).to_digit(16).unwrap_or(0) as u8;
            out.push(hex(bytes[i + 1]) * 16 + hex(bytes[i + 2]));
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Percent-encodes a path for a URL, keeping `/` and unreserved bytes.
pub fn percent_encode_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for byte in path.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~' | b'/') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

fn plain_text(events: &[Event<'_>]) -> String {
    let mut text = String::new();
    for event in events {
        match event {
            Event::Text(t) | Event::Code(t) => text.push_str(t),
            Event::SoftBreak | Event::HardBreak => text.push(' '),
            _ => {}
        }
    }
    text
}

/// A heading's anchor id: its slug, prefixed with `h-` when it would start
/// with a digit (footnote ids are bare numbers) or be empty.
fn heading_id(text: &str) -> String {
    let slug = crate::slug::slugify(text);
    if slug.is_empty() || slug.starts_with(|c: char| c.is_ascii_digit()) {
        format!("h-{slug}")
    } else {
        slug
    }
}

fn unique_id(id: String, used: &mut HashSet<String>) -> String {
    if used.insert(id.clone()) {
        return id;
    }
    let mut n = 2;
    loop {
        let candidate = format!("{id}-{n}");
        if used.insert(candidate.clone()) {
            return candidate;
        }
        n += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render_simple(body: &str, policy: RawHtml) -> RenderedBody {
        let links = LinkTargets {
            source: PathBuf::from("2024/this.md"),
            pages: Arc::new([(PathBuf::from("2024/other.md"), "other".to_string())].into()),
            assets: Arc::new([PathBuf::from("2024/img/graph.png")].into()),
            unpublished: Arc::new([PathBuf::from("2024/draft.md")].into()),
            remote_images: false,
        };
        render(body, "Title", &links, &Highlighter::new(65536), policy)
    }

    #[test]
    fn remote_images_become_links_unless_allowed() {
        let body = "Before.\n\n![error *graph*](https://grafana.example/d/1.png \"t\")\n\n\
                    ## ![](//cdn.example/x.gif) heading\n\n\
                    <img src=\"https://tracker.example/p.gif\" alt=\"pixel\">\n\n\
                    ![local](img/graph.png)\n";
        for policy in [RawHtml::Sanitize, RawHtml::Escape] {
            let out = render_simple(body, policy);
            assert!(
                out.html.contains(
                    "<a class=\"remote-image\" href=\"https://grafana.example/d/1.png\" rel=\"noopener noreferrer\">error <em>graph</em> <small>(image on grafana.example)</small></a>"
                ),
                "{}",
                out.html
            );
            assert!(out.html.contains("(image on cdn.example)"), "{}", out.html);
            assert!(
                !out.html.contains("<img src=\"http") && !out.html.contains("<img src=\"//"),
                "no remote image is embedded: {}",
                out.html
            );
            assert!(
                out.html
                    .contains("<img src=\"../../assets/2024/img/graph.png\"")
            );
        }
        let out = render_simple(body, RawHtml::Sanitize);
        assert!(
            out.html.contains("<img alt=\"pixel\">"),
            "raw HTML loses a remote src: {}",
            out.html
        );

        let mut links = LinkTargets {
            source: PathBuf::from("2024/this.md"),
            pages: Arc::default(),
            assets: Arc::default(),
            unpublished: Arc::default(),
            remote_images: true,
        };
        let out = render(body, "T", &links, &Highlighter::new(0), RawHtml::Sanitize);
        assert!(
            out.html
                .contains("<img src=\"https://grafana.example/d/1.png\"")
        );
        assert!(out.html.contains("src=\"https://tracker.example/p.gif\""));
        links.remote_images = false;
        let out = render(body, "T", &links, &Highlighter::new(0), RawHtml::Sanitize);
        assert!(!out.html.contains("src=\"https://"));
    }

    #[test]
    fn leading_title_heading_is_dropped_and_anchors_added() {
        let out = render_simple(
            "# Title\n\n## Root cause\n\n## Root cause\n\n## 2024 timeline\n",
            RawHtml::Sanitize,
        );
        assert!(!out.html.contains("<h1"), "{}", out.html);
        assert!(
            out.html.contains(
                "<h2 id=\"root-cause\">Root cause<a class=\"anchor\" href=\"#root-cause\""
            )
        );
        assert!(out.html.contains("id=\"root-cause-2\""));
        assert!(out.html.contains("id=\"h-2024-timeline\""));
    }

    #[test]
    fn a_leading_bold_title_is_not_repeated() {
        let out = render_simple(
            "**Title**\n\nBody [a](https://x.example).\n",
            RawHtml::Sanitize,
        );
        assert!(!out.html.contains("<strong>Title</strong>"), "{}", out.html);
        let out = render_simple("**Not the title**\n\nBody.\n", RawHtml::Sanitize);
        assert!(
            out.html.contains("<strong>Not the title</strong>"),
            "{}",
            out.html
        );
        let out = render_simple("First [link](other.md) paragraph.\n", RawHtml::Sanitize);
        assert!(
            out.html.contains("href=\"../other/index.html\""),
            "links in a first paragraph are rewritten: {}",
            out.html
        );
    }

    #[test]
    fn links_to_postmortems_and_assets_are_rewritten() {
        let out = render_simple(
            "See [the other](other.md#timeline) and ![g](img/graph%2Epng).\n",
            RawHtml::Sanitize,
        );
        assert!(
            out.html.contains("href=\"../other/index.html#timeline\""),
            "{}",
            out.html
        );
        assert!(
            out.html.contains("src=\"../../assets/2024/img/graph.png\""),
            "{}",
            out.html
        );
        assert_eq!(out.assets, [PathBuf::from("2024/img/graph.png")]);
        assert!(out.problems.is_empty());
    }

    #[test]
    fn missing_and_escaping_targets_are_reported_with_lines() {
        let out = render_simple(
            "text\n\n[x](missing.md)\n\n![y](../../../etc/passwd)\n",
            RawHtml::Sanitize,
        );
        assert_eq!(out.problems.len(), 2);
        assert_eq!(out.problems[0].line, 3);
        assert_eq!(out.problems[1].line, 5);
    }

    #[test]
    fn scripts_and_javascript_urls_are_removed() {
        let body = "[a](javascript:alert(1))\n\n<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n\n| a |\n|:-:|\n| b |\n";
        let out = render_simple(body, RawHtml::Sanitize);
        assert!(!out.html.contains("javascript:"), "{}", out.html);
        assert!(!out.html.contains("<script"), "{}", out.html);
        assert!(!out.html.contains("onerror"), "{}", out.html);
        assert!(
            out.html.contains("text-align: center") || out.html.contains("text-align:center"),
            "{}",
            out.html
        );
    }

    #[test]
    fn raw_html_references_are_resolved_and_reported() {
        let out = render_simple(
            "text\n\n<img src=\"img/graph.png\">\n\n<img src=\"nope.png\">\n",
            RawHtml::Sanitize,
        );
        assert!(
            out.html.contains("src=\"../../assets/2024/img/graph.png\""),
            "{}",
            out.html
        );
        assert_eq!(out.assets, [PathBuf::from("2024/img/graph.png")]);
        assert_eq!(out.problems.len(), 1);
        assert_eq!(out.problems[0].line, 5);
    }

    #[test]
    fn links_to_unpublished_postmortems_become_text_and_anchors_are_collected() {
        let out = render_simple(
            "See [the draft](draft.md) and [other](other.md#timeline) and [here](#top).\n\n[gone](gone.md)\n",
            RawHtml::Sanitize,
        );
        assert!(out.html.contains("See the draft and"), "{}", out.html);
        assert!(!out.html.contains("draft.md"), "{}", out.html);
        let kinds: Vec<ProblemKind> = out.problems.iter().map(|p| p.kind).collect();
        assert_eq!(
            kinds,
            vec![ProblemKind::UnpublishedLink, ProblemKind::BrokenLink]
        );
        assert_eq!(out.anchors.len(), 2);
        assert_eq!(out.anchors[0].target, Some(PathBuf::from("2024/other.md")));
        assert_eq!(
            out.anchors[1],
            AnchorRef {
                target: None,
                fragment: "top".into(),
                line: 1
            }
        );
    }

    #[test]
    fn escape_policy_shows_html_as_text() {
        let out = render_simple("<b>bold</b>\n", RawHtml::Escape);
        assert!(out.html.contains("&lt;b&gt;"), "{}", out.html);
    }

    #[test]
    fn code_blocks_are_highlighted_by_first_word_of_info() {
        let out = render_simple(
            "```toml,ignore title=x\n[server]\nport = 8080\n```\n",
            RawHtml::Sanitize,
        );
        assert!(out.html.contains("data-lang=\"toml\""), "{}", out.html);
        assert!(out.html.contains("hl-"), "{}", out.html);
    }

    #[test]
    fn gfm_extensions() {
        let out = render_simple(
            "- [x] done\n- [ ] todo\n\n~~old~~\n\nText[^1]\n\n[^1]: Note.\n",
            RawHtml::Sanitize,
        );
        assert!(out.html.contains("type=\"checkbox\""));
        assert!(out.html.contains("<del>old</del>"));
        assert!(out.html.contains("footnote-definition"));
    }
}
