"""Review, approval and export (DESIGN.md section 5): revisions kept in the library, a
semantic diff between any two, approvals gated by simulations, and export bundles.
Qt-free: the CLI and the Review screen sit on top."""
