DROP TABLE `loans`;
DROP TABLE `copies`;
DROP TABLE `members`;
DROP TABLE `branches`;
DROP TABLE `books`;
