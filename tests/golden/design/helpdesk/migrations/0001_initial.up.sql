SET check_function_bodies = false;
SET standard_conforming_strings = on;
SET search_path = public;

CREATE FUNCTION public.set_updated_at() RETURNS trigger
    LANGUAGE plpgsql
AS $body$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END;
$body$;
COMMENT ON FUNCTION public.set_updated_at() IS 'Sets updated_at on every UPDATE (the trg_*_set_updated_at triggers).';

CREATE TABLE public.agents (
    id bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
    email text NOT NULL,
    name text NOT NULL,
    active boolean DEFAULT true NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT pk_agents PRIMARY KEY (id),
    CONSTRAINT uq_agents_email UNIQUE (email),
    CONSTRAINT chk_agents_email CHECK (char_length(email) <= 254 AND email ~ '^[^@\sA-Z]+@[^@\sA-Z]+\.[^@\sA-Z]+$'),
    CONSTRAINT chk_agents_name CHECK (char_length(name) >= 1 AND char_length(name) <= 120)
);
COMMENT ON TABLE public.agents IS 'A support agent.';

CREATE TABLE public.customers (
    id bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
    email text NOT NULL,
    name text NOT NULL,
    tier text DEFAULT 'standard' NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT pk_customers PRIMARY KEY (id),
    CONSTRAINT uq_customers_email UNIQUE (email),
    CONSTRAINT chk_customers_email CHECK (char_length(email) <= 254 AND email ~ '^[^@\sA-Z]+@[^@\sA-Z]+\.[^@\sA-Z]+$'),
    CONSTRAINT chk_customers_name CHECK (char_length(name) >= 1 AND char_length(name) <= 120),
    CONSTRAINT chk_customers_tier CHECK (tier IN ('standard', 'premium'))
);
COMMENT ON TABLE public.customers IS 'A person who contacts support.';
COMMENT ON COLUMN public.customers.email IS 'PII: personal data; encrypt at rest.';
COMMENT ON COLUMN public.customers.name IS 'PII: personal data; encrypt at rest.';

CREATE TABLE public.messages (
    id bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
    ticket_id bigint NOT NULL,
    from_agent boolean NOT NULL,
    body text NOT NULL,
    sent_at timestamp with time zone NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT pk_messages PRIMARY KEY (id)
);
COMMENT ON TABLE public.messages IS 'One message on a ticket, from the customer or an agent.';

CREATE TABLE public.tickets (
    id bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
    requester_id bigint NOT NULL,
    assignee_id bigint,
    subject text NOT NULL,
    status text NOT NULL,
    priority text DEFAULT 'normal' NOT NULL,
    channel text NOT NULL,
    opened_at timestamp with time zone NOT NULL,
    sla_due_at timestamp with time zone NOT NULL,
    first_response_at timestamp with time zone,
    solved_at timestamp with time zone,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT pk_tickets PRIMARY KEY (id),
    CONSTRAINT chk_tickets_channel CHECK (channel IN ('email', 'chat', 'phone')),
    CONSTRAINT chk_tickets_priority CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
    CONSTRAINT chk_tickets_sla_due_at_opened_at CHECK (sla_due_at > opened_at),
    CONSTRAINT chk_tickets_solved_after_opened CHECK (solved_at is null or solved_at >= opened_at),
    CONSTRAINT chk_tickets_status CHECK (status IN ('new', 'open', 'pending', 'solved', 'closed')),
    CONSTRAINT chk_tickets_subject CHECK (char_length(subject) >= 1 AND char_length(subject) <= 200)
);
COMMENT ON TABLE public.tickets IS 'A request for help, worked until solved.';
COMMENT ON COLUMN public.tickets.sla_due_at IS 'When the first response is due.';
COMMENT ON COLUMN public.tickets.first_response_at IS 'The first agent reply; empty until then.';

CREATE INDEX idx_messages_ticket_id_sent_at_id ON public.messages (ticket_id, sent_at, id);

CREATE INDEX idx_tickets_assignee_id_status_sla_due_at ON public.tickets (assignee_id, status, sla_due_at);

CREATE INDEX idx_tickets_opened_at ON public.tickets (opened_at) INCLUDE (channel);

CREATE INDEX idx_tickets_requester_id_opened_at_id ON public.tickets (requester_id, opened_at, id);

CREATE INDEX idx_tickets_sla_due_at ON public.tickets (sla_due_at) WHERE (first_response_at IS NULL);

CREATE INDEX idx_tickets_solved_at ON public.tickets (solved_at);

ALTER TABLE public.messages ADD CONSTRAINT fk_messages_ticket_id FOREIGN KEY (ticket_id) REFERENCES public.tickets (id) ON DELETE CASCADE;

ALTER TABLE public.tickets ADD CONSTRAINT fk_tickets_assignee_id FOREIGN KEY (assignee_id) REFERENCES public.agents (id) ON DELETE SET NULL;

ALTER TABLE public.tickets ADD CONSTRAINT fk_tickets_requester_id FOREIGN KEY (requester_id) REFERENCES public.customers (id) ON DELETE RESTRICT;

CREATE TRIGGER trg_agents_set_updated_at BEFORE UPDATE ON public.agents FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();

CREATE TRIGGER trg_customers_set_updated_at BEFORE UPDATE ON public.customers FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();

CREATE TRIGGER trg_tickets_set_updated_at BEFORE UPDATE ON public.tickets FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();
