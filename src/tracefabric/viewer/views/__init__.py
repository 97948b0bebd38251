"""What the viewer's pages show, computed on the server: the page only renders."""
