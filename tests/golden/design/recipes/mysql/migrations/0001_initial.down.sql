DROP TABLE `reviews`;
DROP TABLE `recipe_ingredients`;
DROP TABLE `recipes`;
DROP TABLE `ingredients`;
DROP TABLE `cooks`;
