DROP POLICY tenant_isolation ON public.mailing_lists;

DROP POLICY tenant_isolation ON public.list_memberships;

DROP POLICY tenant_isolation ON public.engagement_events;

DROP POLICY tenant_isolation ON public.deliveries;

DROP POLICY tenant_isolation ON public.contacts;

DROP POLICY tenant_isolation ON public.campaigns;

DROP TRIGGER trg_starter_templates_set_updated_at ON public.starter_templates;

DROP TRIGGER trg_mailing_lists_set_updated_at ON public.mailing_lists;

DROP TRIGGER trg_deliveries_set_updated_at ON public.deliveries;

DROP TRIGGER trg_contacts_set_updated_at ON public.contacts;

DROP TRIGGER trg_campaigns_status_moves ON public.campaigns;

DROP TRIGGER trg_campaigns_set_updated_at ON public.campaigns;

DROP TRIGGER trg_accounts_set_updated_at ON public.accounts;

ALTER TABLE public.mailing_lists DROP CONSTRAINT fk_mailing_lists_account_id;

ALTER TABLE public.list_memberships DROP CONSTRAINT fk_list_memberships_mailing_list_id;

ALTER TABLE public.list_memberships DROP CONSTRAINT fk_list_memberships_contact_id;

ALTER TABLE public.engagement_events DROP CONSTRAINT fk_engagement_events_contact_id;

ALTER TABLE public.engagement_events DROP CONSTRAINT fk_engagement_events_campaign_id;

ALTER TABLE public.engagement_events DROP CONSTRAINT fk_engagement_events_account_id;

ALTER TABLE public.deliveries DROP CONSTRAINT fk_deliveries_contact_id;

ALTER TABLE public.deliveries DROP CONSTRAINT fk_deliveries_campaign_id;

ALTER TABLE public.deliveries DROP CONSTRAINT fk_deliveries_account_id;

ALTER TABLE public.contacts DROP CONSTRAINT fk_contacts_account_id;

ALTER TABLE public.campaigns DROP CONSTRAINT fk_campaigns_mailing_list_id;

ALTER TABLE public.campaigns DROP CONSTRAINT fk_campaigns_account_id;

DROP INDEX public.idx_starter_templates_category_name;

DROP INDEX public.idx_list_memberships_account_id_mailing_list_id;

DROP INDEX public.idx_engagement_events_account_id_contact_id_occurred_at;

DROP INDEX public.idx_engagement_events_account_id_campaign_id_occurred_at;

DROP INDEX public.idx_deliveries_account_id_provider_message_id;

DROP INDEX public.idx_deliveries_account_id_contact_id;

DROP INDEX public.idx_deliveries_account_id_campaign_id_queued_at_queued;

DROP INDEX public.idx_deliveries_account_id_campaign_id;

DROP INDEX public.idx_contacts_account_id_subscribed_at_id_subscribed;

DROP INDEX public.idx_campaigns_account_id_mailing_list_id;

DROP INDEX public.idx_campaigns_account_id_created_at;

DROP TABLE public.starter_templates;

DROP TABLE public.mailing_lists;

DROP TABLE public.list_memberships;

DROP TABLE public.engagement_events;

DROP TABLE public.deliveries;

DROP TABLE public.contacts;

DROP TABLE public.campaigns;

DROP TABLE public.accounts;

DROP FUNCTION public.trg_campaigns_status_moves_fn();

DROP FUNCTION public.set_updated_at();

DROP FUNCTION public.maintain_monthly_partitions(regclass, interval, integer, timestamp with time zone);
