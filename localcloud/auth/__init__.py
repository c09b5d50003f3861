"""Who is calling: signature verification and the principal behind an AccessKey."""
