//! `data:` URLs, which OpenAI formats use for inline images and files.

use crate::ir::Source;

/// Reads a URL as an inline base64 source when it is a `data:<type>;base64,<data>` URL, and as a plain
/// URL source otherwise.
pub(crate) fn to_source(url: String) -> Source {
    match split(&url) {
        Some((media_type, data)) => {
            Source::Base64 { media_type: media_type.to_owned(), data: data.to_owned() }
        }
        None => Source::Url { url, media_type: None },
    }
}

/// Writes inline base64 data as a `data:` URL.
pub(crate) fn from_base64(media_type: &str, data: &str) -> String {
    format!("data:{media_type};base64,{data}")
}

fn split(url: &str) -> Option<(&str, &str)> {
    let rest = url.strip_prefix("data:")?;
    let (header, data) = rest.split_once(',')?;
    let media_type = header.strip_suffix(";base64")?;
    Some((media_type, data))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_data_urls_become_inline_sources() {
        let source = to_source("data:image/png;base64,iVBORw0KGgo=".into());
        assert_eq!(source, Source::Base64 { media_type: "image/png".into(), data: "iVBORw0KGgo=".into() });
        assert_eq!(from_base64("image/png", "iVBORw0KGgo="), "data:image/png;base64,iVBORw0KGgo=");
    }

    #[test]
    fn other_urls_stay_urls() {
        for url in ["https://example.com/cat.png", "data:text/plain,hello", "data:image/png;base64"] {
            assert_eq!(to_source(url.into()), Source::Url { url: url.into(), media_type: None });
        }
    }
}
