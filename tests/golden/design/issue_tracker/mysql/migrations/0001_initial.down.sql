DROP TABLE `issue_labels`;
DROP TABLE `comments`;
DROP TABLE `labels`;
DROP TABLE `issues`;
DROP TABLE `audit_events`;
DROP TABLE `projects`;
DROP TABLE `members`;
DROP TABLE `organisations`;
