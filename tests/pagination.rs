//! Incident lists split into pages (`paginate_by`): every row lands on
//! exactly one page, in the order of the whole list, and the pager links
//! the pages in both directions.

mod common;

use std::path::{Path, PathBuf};

use common::{broken_links, hindsight, repo, stderr};

/// Builds a copy of the example archive with `paginate_by = N`; returns
/// the temporary folder (keep it alive) and the site.
fn build_paginated(paginate_by: usize) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("archive");
    for entry in walkdir::WalkDir::new(repo().join("content")) {
        let entry = entry.unwrap();
        let rel = entry.path().strip_prefix(repo()).unwrap();
        let to = root.join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&to).unwrap();
        } else {
            std::fs::copy(entry.path(), &to).unwrap();
        }
    }
    let config = std::fs::read_to_string(repo().join("hindsight.toml")).unwrap();
    std::fs::write(
        root.join("hindsight.toml"),
        format!("paginate_by = {paginate_by}\n{config}"),
    )
    .unwrap();
    let site = dir.path().join("site");
    let output = hindsight(&root, &["build", "--output", site.to_str().unwrap()]);
    assert!(
        output.status.success(),
        "build failed:\n{}",
        stderr(&output)
    );
    (dir, site)
}

/// The incident links of a list page's table, in order.
fn rows(html: &str) -> Vec<String> {
    incident_links(html, "<td class=\"title\"><a href=\"")
}

/// The incident links that follow each `opening` (which ends inside an
/// `href="`), in order.
fn incident_links(html: &str, opening: &str) -> Vec<String> {
    html.split(opening)
        .skip(1)
        .map(|rest| {
            let href = &rest[..rest.find('"').unwrap()];
            // Relative to different depths: keep the part from `incidents/`.
            href[href.find("incidents/").unwrap()..].to_string()
        })
        .collect()
}

/// The pages of the list whose first page is `first` (`…/index.html`),
/// found by following `rel="next"` links; each page's path and HTML.
fn follow(site: &Path, first: &str) -> Vec<(String, String)> {
    let mut pages = Vec::new();
    let mut path = first.to_string();
    loop {
        let html =
            std::fs::read_to_string(site.join(&path)).unwrap_or_else(|_| panic!("{path} missing"));
        let next = html.split("<a rel=\"next\" href=\"").nth(1).map(|rest| {
            let href = &rest[..rest.find('"').unwrap()];
            common::resolve_url(&format!("/{path}"), href)
                .trim_start_matches('/')
                .to_string()
        });
        pages.push((path, html));
        match next {
            Some(next) => {
                assert!(pages.len() < 100, "rel=next loops");
                path = next;
            }
            None => return pages,
        }
    }
}

/// Every list page of a site: `incidents/index.html` and each term's
/// first page (`<taxonomy>/<term>/index.html`).
fn lists(site: &Path) -> Vec<String> {
    let mut lists = vec!["incidents/index.html".to_string()];
    for taxonomy in [
        "categories",
        "severity",
        "duration",
        "impact",
        "services",
        "teams",
        "tags",
        "years",
    ] {
        let Ok(entries) = std::fs::read_dir(site.join(taxonomy)) else {
            continue;
        };
        for entry in entries {
            let entry = entry.unwrap();
            if entry.path().join("index.html").is_file() {
                lists.push(format!(
                    "{taxonomy}/{}/index.html",
                    entry.file_name().to_string_lossy()
                ));
            }
        }
    }
    lists.sort();
    lists
}

#[test]
fn every_row_is_on_exactly_one_page_in_list_order() {
    let (_whole_dir, whole) = build_paginated(0);
    let (_paged_dir, paged) = build_paginated(5);
    let lists = lists(&whole);
    assert!(lists.len() > 20, "the example has many term pages");
    let mut paginated_lists = 0;
    for list in &lists {
        let expected = rows(&std::fs::read_to_string(whole.join(list)).unwrap());
        let pages = follow(&paged, list);
        let got: Vec<String> = pages.iter().flat_map(|(_, html)| rows(html)).collect();
        assert_eq!(got, expected, "{list}: rows across its pages");
        assert_eq!(
            pages.len(),
            expected.len().div_ceil(5).max(1),
            "{list}: pages"
        );
        for (number, (path, html)) in pages.iter().enumerate() {
            assert!(rows(html).len() <= 5, "{path}: more than 5 rows");
            if number > 0 {
                let folder = list.trim_end_matches("index.html");
                assert_eq!(path, &format!("{folder}page/{}/index.html", number + 1));
                assert!(
                    html.contains(&format!("(page {} of {})", number + 1, pages.len())),
                    "{path}: title names the page"
                );
            }
            // Back links: each page past the first points to the one before.
            let previous = html.split("<a rel=\"prev\" href=\"").nth(1);
            assert_eq!(previous.is_some(), number > 0, "{path}: rel=prev");
        }
        if pages.len() > 1 {
            paginated_lists += 1;
            let last = &pages.last().unwrap().0;
            let beyond = last.replace(
                &format!("page/{}/", pages.len()),
                &format!("page/{}/", pages.len() + 1),
            );
            assert!(!paged.join(beyond).exists(), "{list}: a page past the last");
        }
    }
    assert!(
        paginated_lists >= 3,
        "only {paginated_lists} lists paginated"
    );
    // The whole-list build has no pages at all.
    assert!(
        walkdir::WalkDir::new(&whole)
            .into_iter()
            .filter_map(Result::ok)
            .all(|e| e.file_name() != "page"),
        "paginate_by = 0 made pages"
    );
    assert_eq!(broken_links(&paged), Vec::<String>::new());
}

#[test]
fn term_figures_count_the_whole_term_on_every_page() {
    let (_dir, site) = build_paginated(2);
    let first = std::fs::read_to_string(site.join("severity/sev1/index.html")).unwrap();
    let second = std::fs::read_to_string(site.join("severity/sev1/page/2/index.html")).unwrap();
    // Three SEV1s in the example: two rows, then one, each page saying 3.
    assert_eq!(rows(&first).len(), 2);
    assert_eq!(rows(&second).len(), 1);
    for html in [&first, &second] {
        assert!(
            html.contains(
                "<span class=\"figure-value\">3</span><span class=\"figure-label\">incidents</span>"
            ),
            "the term's count is the whole term's"
        );
    }
    // Every figure (duration, detection, mitigation, action items) is the
    // whole term's, the same on each page, and made from the whole term.
    let figures = |html: &str| {
        let start = html.find("<section class=\"figures").unwrap();
        html[start..start + html[start..].find("</section>").unwrap()].to_string()
    };
    assert_eq!(figures(&first), figures(&second));
    let (_whole_dir, whole) = build_paginated(0);
    let unpaged = std::fs::read_to_string(whole.join("severity/sev1/index.html")).unwrap();
    assert_eq!(figures(&first), figures(&unpaged));
    assert!(second.contains("Incidents 3–3 of 3; page 2 of 2."));
    let all = std::fs::read_to_string(site.join("incidents/index.html")).unwrap();
    assert!(
        all.contains("16 postmortems, newest first."),
        "lede counts all"
    );
}

#[test]
fn action_items_are_paginated_in_step_and_each_listed_once() {
    let (_whole_dir, whole) = build_paginated(0);
    let (_paged_dir, paged) = build_paginated(2);
    // Each open item (`<li class="action…">`) and completion row, in order.
    let items = |html: &str| -> Vec<String> {
        html.split("<li class=\"action")
            .skip(1)
            // Links are relative to pages of different depths.
            .map(|rest| rest[..rest.find("</li>").unwrap()].replace("../", ""))
            .collect()
    };
    let completion = |html: &str| incident_links(html, "<tr><td><a href=\"");
    let all = std::fs::read_to_string(whole.join("action-items/index.html")).unwrap();
    let (all_items, all_rows) = (items(&all), completion(&all));
    assert!(
        all_items.len() > 4 && all_rows.len() > all_items.len(),
        "the example has more completion rows ({}) than open items ({})",
        all_rows.len(),
        all_items.len()
    );
    let pages = follow(&paged, "action-items/index.html");
    // As many pages as the longer list needs.
    assert_eq!(pages.len(), all_rows.len().div_ceil(2));
    let got_items: Vec<String> = pages.iter().flat_map(|(_, html)| items(html)).collect();
    let got_rows: Vec<String> = pages
        .iter()
        .flat_map(|(_, html)| completion(html))
        .collect();
    assert_eq!(got_items, all_items, "open items across the pages");
    assert_eq!(got_rows, all_rows, "completion rows across the pages");
    let owners = |html: &str| -> Vec<String> {
        html.split("<h3 class=\"owner-heading\">")
            .skip(1)
            .map(|rest| rest[..rest.find("</span>").unwrap()].to_string())
            .collect()
    };
    // An owner's heading gives the owner's whole count on every page.
    for (path, html) in &pages {
        for owner in owners(html) {
            assert!(owners(&all).contains(&owner), "{path}: {owner}");
        }
        assert!(
            html.contains("open of") && !html.contains("No open action items"),
            "{path}: figures on every page, and no claim that nothing is open"
        );
    }
    // The last page holds completion rows only; its pager counts pages.
    let (last_path, last) = pages.last().unwrap();
    assert!(items(last).is_empty(), "{last_path}");
    assert!(last.contains(&format!("Page {} of {}.", pages.len(), pages.len())));
    assert!(pages[1].1.contains("Open items 3–4 of"));
    assert_eq!(broken_links(&paged), Vec::<String>::new());
}
