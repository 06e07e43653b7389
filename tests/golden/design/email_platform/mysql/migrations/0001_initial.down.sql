DROP TABLE `engagement_events`;
DROP TABLE `deliveries`;
DROP TABLE `list_memberships`;
DROP TABLE `campaigns`;
DROP TABLE `mailing_lists`;
DROP TABLE `contacts`;
DROP TABLE `starter_templates`;
DROP TABLE `accounts`;
