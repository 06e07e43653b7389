DROP TRIGGER trg_journal_lines_thirty_lines ON public.journal_lines;

DROP TRIGGER trg_journal_lines_set_updated_at ON public.journal_lines;

DROP TRIGGER trg_journal_lines_balanced_entry ON public.journal_lines;

DROP TRIGGER trg_journal_entries_status_moves ON public.journal_entries;

DROP TRIGGER trg_journal_entries_set_updated_at ON public.journal_entries;

DROP TRIGGER trg_accounts_set_updated_at ON public.accounts;

ALTER TABLE public.journal_lines DROP CONSTRAINT fk_journal_lines_entry_id;

ALTER TABLE public.journal_lines DROP CONSTRAINT fk_journal_lines_account_id;

DROP INDEX public.uq_journal_entries_one_import;

DROP INDEX public.idx_journal_lines_entry_id;

DROP INDEX public.idx_journal_lines_account_id_created_at;

DROP INDEX public.idx_journal_entries_source_external_ref;

DROP INDEX public.idx_journal_entries_posted_at_posted;

DROP TABLE public.journal_lines;

DROP TABLE public.journal_entries;

DROP TABLE public.accounts;

DROP FUNCTION public.trg_journal_lines_thirty_lines_fn();

DROP FUNCTION public.trg_journal_lines_balanced_entry_fn();

DROP FUNCTION public.trg_journal_entries_status_moves_fn();

DROP FUNCTION public.set_updated_at();
