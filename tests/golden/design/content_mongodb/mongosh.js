// content: MongoDB collections, validators and indexes (made by dbdesign).
db = db.getSiblingDB("content");

// Re-running this script: a collection that exists has its validator replaced (collMod);
// createIndex of an index that exists with the same name, key and options does nothing, and
// one whose key or options changed fails (drop it first: dropIndex(name)). Nothing is dropped.
function ensureCollection(name, options) {
  if (db.getCollectionNames().includes(name)) {
    db.runCommand({collMod: name, ...options});
  } else {
    db.createCollection(name, options);
  }
}

ensureCollection("authors", {
  "validator": {
    "$jsonSchema": {
      "bsonType": "object",
      "required": [
        "_id",
        "display_name",
        "email",
        "created_at",
        "updated_at"
      ],
      "properties": {
        "_id": {
          "bsonType": "objectId",
          "description": "ObjectId"
        },
        "display_name": {
          "bsonType": "string",
          "minLength": 1,
          "maxLength": 120
        },
        "email": {
          "bsonType": "string",
          "minLength": 1,
          "pattern": "^[^@\\s]+@[^@\\s]+$",
          "maxLength": 254,
          "description": "PII: personal data; encrypt at rest."
        },
        "bio": {
          "bsonType": "string",
          "maxLength": 4096
        },
        "created_at": {
          "bsonType": "date"
        },
        "updated_at": {
          "bsonType": "date"
        }
      },
      "additionalProperties": false
    }
  },
  "validationLevel": "strict",
  "validationAction": "error"
});
db.getCollection("authors").createIndex({"email": 1}, {"name": "uq_email_1_ci", "unique": true, "collation": {"locale": "en", "strength": 2}});

ensureCollection("articles", {
  "validator": {
    "$jsonSchema": {
      "bsonType": "object",
      "required": [
        "_id",
        "slug",
        "title",
        "status",
        "created_at",
        "updated_at"
      ],
      "properties": {
        "_id": {
          "bsonType": "objectId",
          "description": "ObjectId"
        },
        "slug": {
          "bsonType": "string",
          "minLength": 1,
          "maxLength": 160,
          "pattern": "^(?:[a-z0-9-]+)$"
        },
        "title": {
          "bsonType": "string",
          "minLength": 1,
          "maxLength": 200
        },
        "summary": {
          "bsonType": "string",
          "maxLength": 600
        },
        "status": {
          "bsonType": "string",
          "enum": [
            "draft",
            "published",
            "archived"
          ],
          "description": "Default 'draft' (set by the application)."
        },
        "published_at": {
          "bsonType": "date"
        },
        "metadata": {
          "bsonType": "object",
          "description": "Free-form SEO and layout settings."
        },
        "created_at": {
          "bsonType": "date"
        },
        "updated_at": {
          "bsonType": "date"
        },
        "sections": {
          "bsonType": "array",
          "items": {
            "bsonType": "object",
            "required": [
              "position",
              "body",
              "created_at",
              "updated_at"
            ],
            "properties": {
              "position": {
                "bsonType": "int",
                "minimum": 1,
                "maximum": 50
              },
              "heading": {
                "bsonType": "string",
                "maxLength": 200
              },
              "body": {
                "bsonType": "string",
                "minLength": 1,
                "maxLength": 4096
              },
              "created_at": {
                "bsonType": "date"
              },
              "updated_at": {
                "bsonType": "date"
              }
            },
            "additionalProperties": false
          },
          "maxItems": 30
        },
        "bylines": {
          "bsonType": "array",
          "items": {
            "bsonType": "object",
            "required": [
              "author_id",
              "credited_name",
              "role",
              "created_at",
              "updated_at"
            ],
            "properties": {
              "author_id": {
                "bsonType": "objectId",
                "description": "a author"
              },
              "credited_name": {
                "bsonType": "string",
                "minLength": 1,
                "maxLength": 120
              },
              "role": {
                "bsonType": "string",
                "enum": [
                  "author",
                  "editor",
                  "photographer",
                  "translator"
                ],
                "description": "Default 'author' (set by the application)."
              },
              "created_at": {
                "bsonType": "date"
              },
              "updated_at": {
                "bsonType": "date"
              }
            },
            "additionalProperties": false
          },
          "maxItems": 5
        },
        "tags": {
          "bsonType": "array",
          "items": {
            "bsonType": "object",
            "required": [
              "label",
              "created_at",
              "updated_at"
            ],
            "properties": {
              "label": {
                "bsonType": "string",
                "minLength": 1,
                "maxLength": 40,
                "pattern": "^(?:[a-z0-9-]+)$"
              },
              "created_at": {
                "bsonType": "date"
              },
              "updated_at": {
                "bsonType": "date"
              }
            },
            "additionalProperties": false
          },
          "maxItems": 10
        }
      },
      "additionalProperties": false
    }
  },
  "validationLevel": "strict",
  "validationAction": "error"
});
db.getCollection("articles").createIndex({"published_at": -1, "_id": -1}, {"name": "published_at_-1__id_-1_where_status_published", "partialFilterExpression": {"status": "published"}});
db.getCollection("articles").createIndex({"tags.label": 1}, {"name": "tags.label_1"});
db.getCollection("articles").createIndex({"bylines.author_id": 1}, {"name": "bylines.author_id_1"});
db.getCollection("articles").createIndex({"slug": 1}, {"name": "uq_slug_1", "unique": true});
db.getCollection("articles").createIndex({"title": "text", "summary": "text"}, {"name": "title_text_summary_text"});

ensureCollection("comments", {
  "validator": {
    "$jsonSchema": {
      "bsonType": "object",
      "required": [
        "_id",
        "article_id",
        "reader_name",
        "body",
        "status",
        "posted_at",
        "created_at",
        "updated_at"
      ],
      "properties": {
        "_id": {
          "bsonType": "objectId",
          "description": "ObjectId"
        },
        "article_id": {
          "bsonType": "objectId",
          "description": "a article"
        },
        "reader_name": {
          "bsonType": "string",
          "minLength": 1,
          "maxLength": 80
        },
        "body": {
          "bsonType": "string",
          "minLength": 1,
          "maxLength": 4096
        },
        "status": {
          "bsonType": "string",
          "enum": [
            "pending",
            "approved",
            "rejected"
          ],
          "description": "Default 'pending' (set by the application)."
        },
        "posted_at": {
          "bsonType": "date"
        },
        "created_at": {
          "bsonType": "date"
        },
        "updated_at": {
          "bsonType": "date"
        }
      },
      "additionalProperties": false
    }
  },
  "validationLevel": "strict",
  "validationAction": "error"
});
db.getCollection("comments").createIndex({"article_id": 1, "posted_at": -1}, {"name": "article_id_1_posted_at_-1_where_status_approved", "partialFilterExpression": {"status": "approved"}});
db.getCollection("comments").createIndex({"posted_at": 1}, {"name": "posted_at_1_where_status_pending", "partialFilterExpression": {"status": "pending"}});
db.getCollection("comments").createIndex({"article_id": 1, "_id": 1}, {"name": "article_id_1__id_1"});

ensureCollection("page_events", {
  "validator": {
    "$jsonSchema": {
      "bsonType": "object",
      "required": [
        "_id",
        "article_id",
        "session_id",
        "kind",
        "occurred_at",
        "created_at"
      ],
      "properties": {
        "_id": {
          "bsonType": "objectId",
          "description": "ObjectId"
        },
        "article_id": {
          "bsonType": "objectId",
          "description": "a article"
        },
        "session_id": {
          "bsonType": "binData"
        },
        "kind": {
          "bsonType": "string",
          "enum": [
            "view",
            "scroll",
            "share",
            "click"
          ]
        },
        "payload": {
          "bsonType": "object"
        },
        "occurred_at": {
          "bsonType": "date"
        },
        "created_at": {
          "bsonType": "date"
        }
      },
      "additionalProperties": false
    }
  },
  "validationLevel": "strict",
  "validationAction": "error"
});
db.getCollection("page_events").createIndex({"article_id": 1, "occurred_at": 1}, {"name": "article_id_1_occurred_at_1"});
db.getCollection("page_events").createIndex({"session_id": 1, "occurred_at": 1}, {"name": "session_id_1_occurred_at_1"});
db.getCollection("page_events").createIndex({"created_at": 1}, {"name": "ttl_created_at_1", "expireAfterSeconds": 7776000});
db.getCollection("page_events").createIndex({"session_id": 1, "_id": 1}, {"name": "session_id_1__id_1"});

// Shard keys: applied through mongos on a sharded cluster, left alone elsewhere.
if (db.hello().msg === "isdbgrid") {
  sh.enableSharding("content");
  sh.shardCollection("content.comments", {"article_id": 1, "_id": 1});
  sh.shardCollection("content.page_events", {"session_id": 1, "_id": 1});
}
