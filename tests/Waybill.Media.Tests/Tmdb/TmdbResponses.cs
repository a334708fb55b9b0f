namespace Waybill.Media.Tests.Tmdb;

/// <summary>Answers in the shape TMDB's v3 API gives them (all fields, not only those the client reads).</summary>
internal static class TmdbResponses
{
    public const string FightClubSearch = """
    {
      "page": 1,
      "results": [
        {
          "adult": false,
          "backdrop_path": "/hZkgoQYus5vegHoetLkCJzb17zJ.jpg",
          "genre_ids": [18],
          "id": 550,
          "original_language": "en",
          "original_title": "Fight Club",
          "overview": "A ticking-time-bomb insomniac and a slippery soap salesman channel primal male aggression into a shocking new form of therapy.",
          "popularity": 73.433,
          "poster_path": "/pB8BM7pdSp6B6Ih7QZ4DrQ3PmJK.jpg",
          "release_date": "1999-10-15",
          "title": "Fight Club",
          "video": false,
          "vote_average": 8.438,
          "vote_count": 27880
        },
        {
          "adult": false,
          "backdrop_path": null,
          "genre_ids": [99],
          "id": 347800,
          "original_language": "en",
          "original_title": "Fight Club: Behind the Scenes",
          "overview": "",
          "popularity": 2.1,
          "poster_path": null,
          "release_date": "1999-12-01",
          "title": "Fight Club: Behind the Scenes",
          "video": true,
          "vote_average": 6.2,
          "vote_count": 11
        }
      ],
      "total_pages": 1,
      "total_results": 2
    }
    """;

    public const string FightClubCredits = """
    {
      "id": 550,
      "cast": [
        { "adult": false, "gender": 2, "id": 287, "known_for_department": "Acting", "name": "Brad Pitt", "original_name": "Brad Pitt", "popularity": 30.1, "profile_path": "/cckcYc2v0yh1tc9QjRelptcOBko.jpg", "cast_id": 5, "character": "Tyler Durden", "credit_id": "52fe4250c3a36847f80149f7", "order": 1 },
        { "adult": false, "gender": 2, "id": 819, "known_for_department": "Acting", "name": "Edward Norton", "original_name": "Edward Norton", "popularity": 20.4, "profile_path": "/8nytsqL59SFJTVYVrN72k6qkGgJ.jpg", "cast_id": 4, "character": "Narrator", "credit_id": "52fe4250c3a36847f80149f3", "order": 0 },
        { "adult": false, "gender": 1, "id": 1283, "known_for_department": "Acting", "name": "Helena Bonham Carter", "original_name": "Helena Bonham Carter", "popularity": 15.2, "profile_path": "/DDeITcCpnBd0CkAIRPhggy9bt5.jpg", "cast_id": 7, "character": "Marla Singer", "credit_id": "52fe4250c3a36847f80149fb", "order": 2 },
        { "adult": false, "gender": 2, "id": 7470, "known_for_department": "Acting", "name": "Meat Loaf", "original_name": "Meat Loaf", "popularity": 5.3, "profile_path": "/7gKLR1u46OB8WJ6m06LemNBCMx6.jpg", "cast_id": 8, "character": "Robert 'Bob' Paulson", "credit_id": "52fe4250c3a36847f80149ff", "order": 3 },
        { "adult": false, "gender": 2, "id": 7499, "known_for_department": "Acting", "name": "Jared Leto", "original_name": "Jared Leto", "popularity": 12.9, "profile_path": "/ca3x0OfIKbJppZh8S1Alx3GfUZO.jpg", "cast_id": 30, "character": "Angel Face", "credit_id": "52fe4250c3a36847f8014a51", "order": 4 }
      ],
      "crew": [
        { "adult": false, "gender": 2, "id": 7467, "known_for_department": "Directing", "name": "David Fincher", "original_name": "David Fincher", "popularity": 8.1, "profile_path": "/tpEczFclQZeKAiCeKZZ0adRvtfz.jpg", "credit_id": "631f0289568463007bbe28a6", "department": "Directing", "job": "Director" },
        { "adult": false, "gender": 2, "id": 7469, "known_for_department": "Writing", "name": "Jim Uhls", "original_name": "Jim Uhls", "popularity": 1.4, "profile_path": null, "credit_id": "52fe4250c3a36847f8014a05", "department": "Writing", "job": "Screenplay" },
        { "adult": false, "gender": 2, "id": 7468, "known_for_department": "Writing", "name": "Chuck Palahniuk", "original_name": "Chuck Palahniuk", "popularity": 3.0, "profile_path": "/vJcVAk5bHRWBz1ubeIvEM6a2x9S.jpg", "credit_id": "52fe4250c3a36847f80149f9", "department": "Writing", "job": "Novel" },
        { "adult": false, "gender": 2, "id": 7474, "known_for_department": "Production", "name": "Ross Grayson Bell", "original_name": "Ross Grayson Bell", "popularity": 0.9, "profile_path": null, "credit_id": "52fe4250c3a36847f8014a11", "department": "Production", "job": "Producer" },
        { "adult": false, "gender": 2, "id": 7475, "known_for_department": "Camera", "name": "Jeff Cronenweth", "original_name": "Jeff Cronenweth", "popularity": 1.1, "profile_path": null, "credit_id": "52fe4250c3a36847f8014a35", "department": "Camera", "job": "Director of Photography" },
        { "adult": false, "gender": 2, "id": 7467, "known_for_department": "Directing", "name": "David Fincher", "original_name": "David Fincher", "popularity": 8.1, "profile_path": "/tpEczFclQZeKAiCeKZZ0adRvtfz.jpg", "credit_id": "52fe4250c3a36847f8014a0b", "department": "Directing", "job": "Director" }
      ]
    }
    """;

    public const string NoResults = """{ "page": 1, "results": [], "total_pages": 1, "total_results": 0 }""";

    public const string InvalidKey = """{ "status_code": 7, "status_message": "Invalid API key: You must be granted a valid key.", "success": false }""";

    public const string NotFound = """{ "success": false, "status_code": 34, "status_message": "The resource you requested could not be found." }""";

    public const string RateLimited = """{ "status_code": 25, "status_message": "Your request count (41) is over the allowed limit of (40).", "success": false }""";

    public const string ServerError = """{ "status_code": 11, "status_message": "Internal error: Something went wrong, contact TMDb.", "success": false }""";
}
