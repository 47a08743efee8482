"""Media stage helpers: lead photos (Pillow) and attachments (pypdf), imported only when a
file must be read, so a build without new photos never loads them."""


class MediaProblem(Exception):
    """A media file that cannot be used: missing, outside the static folder, not an image,
    corrupt, or too large to decode."""
