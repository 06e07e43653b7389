DROP TABLE `reviews`;
DROP TABLE `recipes`;
DROP TABLE `cooks`;
