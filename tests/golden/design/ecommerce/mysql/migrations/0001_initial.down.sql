DROP TABLE `payments`;
DROP TABLE `order_items`;
DROP TABLE `product_categories`;
DROP TABLE `inventory_levels`;
DROP TABLE `orders`;
DROP TABLE `products`;
DROP TABLE `customers`;
DROP TABLE `categories`;
