DROP TRIGGER trg_tickets_set_updated_at ON public.tickets;

DROP TRIGGER trg_customers_set_updated_at ON public.customers;

DROP TRIGGER trg_agents_set_updated_at ON public.agents;

ALTER TABLE public.tickets DROP CONSTRAINT fk_tickets_requester_id;

ALTER TABLE public.tickets DROP CONSTRAINT fk_tickets_assignee_id;

ALTER TABLE public.messages DROP CONSTRAINT fk_messages_ticket_id;

DROP INDEX public.idx_tickets_solved_at;

DROP INDEX public.idx_tickets_sla_due_at;

DROP INDEX public.idx_tickets_requester_id_opened_at_id;

DROP INDEX public.idx_tickets_opened_at;

DROP INDEX public.idx_tickets_assignee_id_status_sla_due_at;

DROP INDEX public.idx_messages_ticket_id_sent_at_id;

DROP TABLE public.tickets;

DROP TABLE public.messages;

DROP TABLE public.customers;

DROP TABLE public.agents;

DROP FUNCTION public.set_updated_at();
