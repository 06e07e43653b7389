DROP TABLE `messages`;
DROP TABLE `tickets`;
DROP TABLE `customers`;
DROP TABLE `agents`;
