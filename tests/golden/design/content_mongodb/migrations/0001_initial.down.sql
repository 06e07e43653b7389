DROP TRIGGER trg_tags_set_updated_at ON public.tags;

DROP TRIGGER trg_tags_article_id_at_most ON public.tags;

DROP TRIGGER trg_sections_set_updated_at ON public.sections;

DROP TRIGGER trg_sections_article_id_at_most ON public.sections;

DROP TRIGGER trg_comments_set_updated_at ON public.comments;

DROP TRIGGER trg_bylines_set_updated_at ON public.bylines;

DROP TRIGGER trg_bylines_article_id_at_most ON public.bylines;

DROP TRIGGER trg_authors_set_updated_at ON public.authors;

DROP TRIGGER trg_articles_set_updated_at ON public.articles;

ALTER TABLE public.tags DROP CONSTRAINT fk_tags_article_id;

ALTER TABLE public.sections DROP CONSTRAINT fk_sections_article_id;

ALTER TABLE public.page_events DROP CONSTRAINT fk_page_events_article_id;

ALTER TABLE public.comments DROP CONSTRAINT fk_comments_article_id;

ALTER TABLE public.bylines DROP CONSTRAINT fk_bylines_author_id;

ALTER TABLE public.bylines DROP CONSTRAINT fk_bylines_article_id;

DROP INDEX public.idx_tags_label;

DROP INDEX public.idx_tags_article_id;

DROP INDEX public.idx_sections_article_id;

DROP INDEX public.idx_page_events_session_id_occurred_at;

DROP INDEX public.idx_page_events_article_id_occurred_at;

DROP INDEX public.idx_comments_posted_at_pending;

DROP INDEX public.idx_comments_article_id_posted_at_approved;

DROP INDEX public.idx_comments_article_id;

DROP INDEX public.idx_bylines_author_id;

DROP INDEX public.idx_bylines_article_id;

DROP INDEX public.idx_articles_search_vector;

DROP INDEX public.idx_articles_published_at_id_published;

DROP TABLE public.tags;

DROP TABLE public.sections;

DROP TABLE public.page_events;

DROP TABLE public.comments;

DROP TABLE public.bylines;

DROP TABLE public.authors;

DROP TABLE public.articles;

DROP FUNCTION public.trg_tags_article_id_at_most_fn();

DROP FUNCTION public.trg_sections_article_id_at_most_fn();

DROP FUNCTION public.trg_bylines_article_id_at_most_fn();

DROP FUNCTION public.set_updated_at();

DROP FUNCTION public.maintain_monthly_partitions(regclass, interval, integer, timestamp with time zone);
