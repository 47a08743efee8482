"""Media stage helpers: lead photos (Pillow) and attachments (pypdf), imported only when a
file must be read, so a build without new photos never loads them."""


class ImageProblem(Exception):
    """A file that cannot be a lead photo: not an image, corrupt, or too large to decode."""
