"""Where the shared corpus lives (read in place; never copied into the project)."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"
PG_CORPUS = sorted((CORPUS / "postgres").glob("*.sql"))
SQLITE_CORPUS = sorted((CORPUS / "sqlite").glob("*.sql"))
MYSQL_CORPUS = sorted((CORPUS / "mysql").glob("*.sql"))
