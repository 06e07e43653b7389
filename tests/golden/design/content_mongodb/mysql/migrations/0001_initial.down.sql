DROP TABLE `bylines`;
DROP TABLE `tags`;
DROP TABLE `sections`;
DROP TABLE `page_events`;
DROP TABLE `comments`;
DROP TABLE `authors`;
DROP TABLE `articles`;
