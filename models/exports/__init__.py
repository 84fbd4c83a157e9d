"""Order exports: the period asked, the rows read in chunks, their columns and words, the CSV and
XLSX files."""
