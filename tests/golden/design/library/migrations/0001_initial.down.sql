DROP TRIGGER trg_members_set_updated_at ON public.members;

DROP TRIGGER trg_loans_set_updated_at ON public.loans;

DROP TRIGGER trg_loans_five_active_loans ON public.loans;

DROP TRIGGER trg_copies_set_updated_at ON public.copies;

DROP TRIGGER trg_branches_set_updated_at ON public.branches;

DROP TRIGGER trg_books_set_updated_at ON public.books;

ALTER TABLE public.loans DROP CONSTRAINT fk_loans_member_id;

ALTER TABLE public.loans DROP CONSTRAINT fk_loans_copy_id;

ALTER TABLE public.copies DROP CONSTRAINT fk_copies_branch_id;

ALTER TABLE public.copies DROP CONSTRAINT fk_copies_book_id;

DROP INDEX public.uq_loans_one_active_loan;

DROP INDEX public.idx_loans_member_id_loaned_at;

DROP INDEX public.idx_loans_due_at;

DROP INDEX public.idx_loans_copy_id_loaned_at;

DROP INDEX public.idx_copies_branch_id;

DROP INDEX public.idx_copies_book_id;

DROP INDEX public.idx_books_search_vector;

DROP TABLE public.members;

DROP TABLE public.loans;

DROP TABLE public.copies;

DROP TABLE public.branches;

DROP TABLE public.books;

DROP FUNCTION public.trg_loans_five_active_loans_fn();

DROP FUNCTION public.set_updated_at();
