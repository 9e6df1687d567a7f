//! MIME types guessed from a URL's file extension, for formats that reference media without one.

/// The MIME type a URL's extension suggests, for the image and document types the providers accept.
pub(crate) fn guess(url: &str) -> Option<&'static str> {
    let path = url.split(['?', '#']).next().unwrap_or(url);
    let (_, extension) = path.rsplit_once('.')?;
    Some(match extension.to_ascii_lowercase().as_str() {
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "heic" => "image/heic",
        "heif" => "image/heif",
        "pdf" => "application/pdf",
        "txt" => "text/plain",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::guess;

    #[test]
    fn guesses_by_extension_ignoring_query_and_case() {
        assert_eq!(guess("https://example.com/cat.JPG?size=large"), Some("image/jpeg"));
        assert_eq!(guess("gs://bucket/report.pdf"), Some("application/pdf"));
        assert_eq!(guess("https://example.com/video"), None);
        assert_eq!(guess("https://example.com/archive.tar.zst"), None);
    }
}
