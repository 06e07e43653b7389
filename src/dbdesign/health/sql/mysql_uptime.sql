-- Seconds since the server started: performance_schema's counters start then.
SHOW GLOBAL STATUS LIKE 'Uptime'
